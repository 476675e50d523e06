"""Start the playground: uvicorn serving `server.create_app` on a local port, the URL (with its
token) printed, the page opened in the browser; Ctrl-C stops it cleanly."""

from __future__ import annotations

import secrets
import socket
import threading
import time
import webbrowser
from typing import Any

from glassnet.playground import protocol

INSTALL_HINT = 'glassnet playground needs Starlette and uvicorn: pip install "glassnet[playground]"'


def _require_server() -> Any:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return uvicorn


def url(host: str, port: int, token: str) -> str:
    """The address to open: ``http://HOST:PORT/?token=TOKEN``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
    token: str | None = None,
    max_sessions: int = protocol.MAX_SESSIONS,
) -> None:
    """Serve the playground until Ctrl-C.

    Args:
        host: the interface to bind (127.0.0.1: this machine only).
        port: the TCP port; 0 picks a free one.
        open_browser: open the page in the default browser once the server listens.
        token: the secret of the URL (default: a fresh random one, as Jupyter's).
        max_sessions: how many pages may train at once.

    Prints ``glassnet playground: http://HOST:PORT/?token=TOKEN``.
    """
    uvicorn = _require_server()
    from glassnet.playground.server import create_app

    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(
            f"port must be an integer in [0, 65535] (0 picks a free one), got {port!r}"
        )
    token = token or secrets.token_urlsafe(32)
    # on this machine only, only this machine's names: a page elsewhere whose name resolves to
    # 127.0.0.1 (DNS rebinding) gets 400 before any token is compared
    local = ["127.0.0.1", "localhost"] if host in ("127.0.0.1", "localhost") else None
    app = create_app(token, max_sessions=max_sessions, allowed_hosts=local)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # a state message and its frame leave at once (Nagle would hold the frame ~40 ms)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(
            f"cannot listen on {host}:{port} ({exc}); try --port 0 for a free port"
        ) from exc
    # listening before the URL is printed: a request made at once waits in the queue
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_max_size=protocol.MAX_UPLOAD_BYTES + protocol.MAX_MESSAGE_BYTES,
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    address = url(host, port, token)
    print(f"glassnet playground: {address}", flush=True)
    if open_browser:

        def open_when_ready() -> None:
            deadline = time.monotonic() + 10
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(address)

        threading.Thread(target=open_when_ready, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        app.state.sessions.close_all()
        sock.close()
