"""Real-browser tests: Playwright for Python driving the system's Chromium.

The browser is Debian's ``chromium`` package (``/usr/bin/chromium``, or the path in the
``GLASSNET_CHROMIUM`` environment variable), started through Playwright's ``executable_path``:
Playwright is only the driver here and never downloads a browser of its own.

When Playwright or Chromium is missing the tests *skip* on a developer's machine, so that the
rest of the suite stays usable without a browser, and *fail* with a message saying what to
install wherever they must run: in CI (the ``CI`` environment variable is set) or when
``GLASSNET_REQUIRE_BROWSER=1``. ``.ci/run`` installs Chromium and sets the latter.

Every test in this folder carries the ``browser`` marker (``pytest -m "not browser"`` leaves
them out).

Fixtures:

- ``browser``: one headless Chromium for the session.
- ``page``: a fresh page at 1280×800 that records what happens on it, in lists attached to it:
  ``page.console_errors`` and ``page.console_warnings`` (console messages of those types, each
  with its location), ``page.page_errors`` (uncaught exceptions), ``page.requests`` (the URL of
  every request) and ``page.failed_requests``.
- ``make_page``: the same page for fixtures of a wider scope (``make_page()``, or
  ``make_page(width=…, height=…)``); the pages are closed at the end of the session.
- ``serve``: ``serve(folder)`` serves a folder over HTTP on 127.0.0.1 from a thread and returns
  its base URL (ending in ``/``); the servers stop at the end of the session.
- ``docs_site``: the whole documentation site, built once per session with
  ``mkdocs build --strict`` and the project's own configuration.
- ``skip_or_fail``: ``skip_or_fail(reason)`` applies the rule above to any other missing tool.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = os.environ.get("GLASSNET_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 800}


def _browser_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("GLASSNET_REQUIRE_BROWSER") == "1"


def _skip_or_fail(reason: str) -> NoReturn:
    if _browser_required():
        pytest.fail(
            f"{reason}. The browser tests must run here (CI or GLASSNET_REQUIRE_BROWSER=1): "
            "install Debian's Chromium (apt-get install --no-install-recommends chromium) and "
            "the test extra (pip install -e '.[test,docs]').",
            pytrace=False,
        )
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def skip_or_fail() -> Callable[[str], NoReturn]:
    return _skip_or_fail


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _skip_or_fail("Playwright for Python is not installed")
    if not Path(CHROMIUM).is_file():
        _skip_or_fail(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
        except Error as error:
            _skip_or_fail(f"Chromium at {CHROMIUM} did not start: {error}")
        yield chromium
        chromium.close()


def _recorded_page(browser: Any, width: int, height: int) -> Any:
    """A page in a context of its own, with the lists described in the module docstring."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.console_errors, page.console_warnings = [], []
    page.page_errors, page.requests, page.failed_requests = [], [], []

    def on_console(message: Any) -> None:
        where = message.location.get("url", "")
        if message.type == "error":
            page.console_errors.append(f"{message.text} ({where})")
        elif message.type == "warning":
            page.console_warnings.append(f"{message.text} ({where})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    page.on(
        "requestfailed",
        lambda request: page.failed_requests.append(f"{request.url}: {request.failure}"),
    )
    return page


@pytest.fixture(scope="session")
def make_page(browser: Any) -> Iterator[Callable[..., Any]]:
    pages: list[Any] = []

    def make(width: int = VIEWPORT["width"], height: int = VIEWPORT["height"]) -> Any:
        page = _recorded_page(browser, width, height)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = _recorded_page(browser, VIEWPORT["width"], VIEWPORT["height"])
    yield page
    page.context.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Path], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site as CI builds it: every page, the figures drawn by docs/hooks.py."""
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python"):
        try:
            __import__(module)
        except ImportError:
            _skip_or_fail(f"{module} is not installed (the docs extra)")
    site = tmp_path_factory.mktemp("site")
    # the docstrings and the figures of this checkout, whatever glassnet is installed
    pythonpath = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": pythonpath,
            "NO_MKDOCS_2_WARNING": "1",
            "MPLBACKEND": "Agg",
        },
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return site
