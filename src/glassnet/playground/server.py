"""The playground's web server: a Starlette app with the page, its files and one WebSocket per
session.

Security, as Jupyter's: every request but ``/healthz`` needs the token (``?token=…`` or the
``glassnet_token`` cookie, set HttpOnly and SameSite=Strict by the first request that carried a
good token; compared with ``secrets.compare_digest``); a WebSocket whose ``Origin`` is not
``http://<Host>`` is refused (close code 4403 before accept), so a page elsewhere cannot drive a
session; served on this machine only, the ``Host`` header must name it (127.0.0.1 or localhost),
which refuses DNS rebinding. Every message is checked against the schema
(`protocol.parse_message`); a bad one gets an error reply and the session goes on. The number
of sessions is capped.

Training runs in each session's thread (`session.SessionWorker`); the event loop only relays
messages. It keeps at most the latest state and sends at most 30 state + heat-map pairs a
second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from glassnet.playground import protocol
from glassnet.playground.session import HistoryCursor, SessionWorker, Snapshot

log = logging.getLogger("glassnet.playground")

STATIC_DIR = Path(__file__).parent / "static"
COOKIE = "glassnet_token"
FRAME_PERIOD = 1 / 30  # seconds between two state + frame pairs
ORIGIN_REFUSED = 4403
TRY_AGAIN_LATER = 1013
FORBIDDEN_TEXT = (
    "403 Forbidden: missing or wrong token. Open the URL that `glassnet playground` printed "
    "(it ends with ?token=…)."
)


class Sessions:
    """The live sessions, capped; ``wait_for(count)`` lets a caller wait for them to end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.workers: set[SessionWorker] = set()
        self._reserved = 0
        self._changed = threading.Condition()

    def __len__(self) -> int:
        with self._changed:
            return len(self.workers) + self._reserved

    def reserve(self) -> bool:
        """Take a place, or False at the cap."""
        with self._changed:
            if len(self.workers) + self._reserved >= self.limit:
                return False
            self._reserved += 1
            return True

    def add(self, worker: SessionWorker) -> None:
        with self._changed:
            self._reserved -= 1
            self.workers.add(worker)
            self._changed.notify_all()

    def release(self, worker: SessionWorker | None = None) -> None:
        with self._changed:
            if worker is None:
                self._reserved -= 1
            else:
                self.workers.discard(worker)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at most ``count`` sessions are live; False on timeout."""
        with self._changed:
            return self._changed.wait_for(
                lambda: len(self.workers) + self._reserved <= count, timeout
            )

    def close_all(self) -> None:
        with self._changed:
            workers = list(self.workers)
        for worker in workers:
            worker.close()


# -- the guard: token, cookie, Origin, security headers -----------------------------------------
def _token_of(scope: Scope) -> tuple[str | None, str | None]:
    """The token in the query string and in the cookie (None where absent)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    in_query = query.get("token", [None])[0]
    in_cookie = None
    raw = Headers(scope=scope).get("cookie")
    if raw:
        try:
            cookie: SimpleCookie = SimpleCookie(raw)
        except CookieError:
            cookie = SimpleCookie()
        if COOKIE in cookie:
            in_cookie = cookie[COOKIE].value
    return in_query, in_cookie


def _same(given: str | None, token: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), token.encode())


class Guard:
    """ASGI middleware: the token for everything but /healthz, the Origin of WebSockets, and
    the security headers of every HTTP response."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = Headers(scope=scope).get("host", "127.0.0.1")
        in_query, in_cookie = _token_of(scope)
        query_ok = _same(in_query, self.token)
        allowed = scope["path"] == "/healthz" or query_ok or _same(in_cookie, self.token)
        set_cookie = query_ok and not _same(in_cookie, self.token)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = (
                    f"default-src 'self'; connect-src 'self' ws://{host}; "
                    "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'"
                )
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if set_cookie and allowed:
                    headers.append(
                        "Set-Cookie",
                        f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/",
                    )
            await send(message)

        if not allowed:
            await PlainTextResponse(FORBIDDEN_TEXT, 403)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        in_query, in_cookie = _token_of(scope)
        websocket = WebSocket(scope, receive, send)
        if not (_same(in_query, self.token) or _same(in_cookie, self.token)):
            if "websocket.http.response" in scope.get("extensions", {}):
                await websocket.send_denial_response(PlainTextResponse(FORBIDDEN_TEXT, 403))
            else:
                await websocket.close(ORIGIN_REFUSED, "missing or wrong token")
            return
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{headers.get('host', '')}":
            await websocket.close(ORIGIN_REFUSED, "this Origin may not open a session")
            return
        await self.app(scope, receive, send)


# -- one connection -----------------------------------------------------------------------------
class Outbox:
    """What a session sends, relayed on the event loop: messages in order, and state + frame
    pairs of which only the latest is kept, at most one per `FRAME_PERIOD`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.messages: deque[dict[str, Any]] = deque()
        self.latest: Snapshot | None = None
        self.wake = asyncio.Event()
        self.pairs_sent = 0

    def put(self, item: Any) -> None:
        """Called from the session's thread."""
        with contextlib.suppress(RuntimeError):  # the loop is closing: nobody listens
            self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: Any) -> None:
        if isinstance(item, Snapshot):
            self.latest = item
        else:
            self.messages.append(item)
        self.wake.set()

    async def run(self, websocket: WebSocket, on_pair_sent: Callable[[], None]) -> None:
        cursor = HistoryCursor()
        next_pair = 0.0
        while True:
            if self.messages:
                await websocket.send_text(protocol.dumps(self.messages.popleft()))
                continue
            now = self.loop.time()
            # while playing, at most one pair per period; a reply to a click goes at once
            playing = self.latest is not None and self.latest.state["status"] == "playing"
            if self.latest is not None and (now >= next_pair or not playing):
                snapshot, self.latest = self.latest, None
                await websocket.send_text(protocol.dumps(snapshot.message(cursor)))
                for frame in snapshot.frames:
                    await websocket.send_bytes(frame)
                self.pairs_sent += 1
                if playing:
                    # a fixed schedule: late by less than a period keeps it, else it restarts
                    late = now - next_pair
                    next_pair = (
                        next_pair + FRAME_PERIOD if late < FRAME_PERIOD else now + FRAME_PERIOD
                    )
                on_pair_sent()
                continue
            self.wake.clear()
            timeout = None if self.latest is None else next_pair - now
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


async def _serve_session(websocket: WebSocket) -> None:
    sessions: Sessions = websocket.app.state.sessions
    await websocket.accept()
    if not sessions.reserve():
        await websocket.send_text(
            protocol.dumps(
                _error(
                    "too_many_sessions",
                    f"the playground already runs {sessions.limit} sessions, its limit; close "
                    "another tab and reload",
                )
            )
        )
        await websocket.close(TRY_AGAIN_LATER, "too many sessions")
        return
    loop = asyncio.get_running_loop()
    outbox = Outbox(loop)
    try:
        worker = await asyncio.to_thread(SessionWorker, outbox.put)
    except BaseException:
        sessions.release()
        raise
    sessions.add(worker)
    # the session leaves the registry when its thread ends, even if this task is cancelled
    worker.on_exit = lambda: sessions.release(worker)
    worker.start()
    websocket.state.worker = worker
    sender: asyncio.Task[None] | None = None
    try:
        hello = {
            "type": "hello",
            "version": protocol.VERSION,
            "limits": protocol.LIMITS,
            "defaults": protocol.DEFAULT_CONFIG,
        }
        await websocket.send_text(protocol.dumps(hello))
        sender = asyncio.create_task(outbox.run(websocket, worker.want_snapshot.set))
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            try:
                parsed = protocol.parse_message(
                    text if text is not None else message.get("bytes") or b""
                )
            except protocol.ProtocolError as exc:
                outbox.put(_error(exc.code, str(exc)))
                continue
            except Exception as exc:  # a checker's bug must not end the session
                log.exception("playground message could not be checked")
                outbox.put(_error("internal", f"the message could not be checked: {exc}"))
                continue
            if parsed["type"] == "ping":
                outbox.put({"type": "pong"})
            else:
                worker.submit(parsed)
            if sender.done():
                break
    except WebSocketDisconnect:
        pass
    finally:
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
        worker.close()


# -- the app ------------------------------------------------------------------------------------
def create_app(
    token: str,
    *,
    static_dir: str | Path | None = None,
    max_sessions: int = protocol.MAX_SESSIONS,
    allowed_hosts: Sequence[str] | None = None,
) -> Starlette:
    """The playground's Starlette app.

    Args:
        token: the secret every request (but ``/healthz``) must carry.
        static_dir: the page's files (default: the package's ``static`` folder).
        max_sessions: how many WebSocket sessions may run at once.
        allowed_hosts: the names the ``Host`` header may carry (None: any). A server on this
            machine only accepts its own names, so a page elsewhere whose name resolves to
            127.0.0.1 (DNS rebinding) is refused before the token is even looked at.

    ``app.state.sessions`` holds the live sessions (`Sessions`).
    """
    if not isinstance(token, str) or len(token) < 8:
        raise ValueError("the playground token must be a string of at least 8 characters")
    if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
        raise ValueError(f"max_sessions must be a positive integer, got {max_sessions!r}")
    folder = Path(static_dir) if static_dir is not None else STATIC_DIR
    sessions = Sessions(max_sessions)

    async def healthz(request: Any) -> Response:
        return JSONResponse({"status": "ok", "sessions": len(sessions)})

    async def index(request: Any) -> Response:
        page = folder / "index.html"
        if not page.is_file():
            return PlainTextResponse("the playground page (static/index.html) is missing", 404)
        return FileResponse(page, media_type="text/html")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sessions.close_all()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/", index),
            Mount("/static", StaticFiles(directory=folder, check_dir=False), name="static"),
            WebSocketRoute("/ws", _serve_session),
        ],
        lifespan=lifespan,
    )
    app.state.sessions = sessions
    app.add_middleware(Guard, token=token)
    if allowed_hosts is not None:  # added last: checked first
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    return app
