"""`glassnet playground` as a user starts it: the real command in a subprocess, the URL it
prints, the token, and Ctrl-C."""

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

pytest.importorskip("uvicorn")

COMMAND = [sys.executable, "-c", "from glassnet.cli import entry_point; entry_point()"]


def _start(*args):
    process = subprocess.Popen(
        [*COMMAND, "playground", "--no-browser", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    match = re.match(r"glassnet playground: (http://127\.0\.0\.1:(\d+)/\?token=(\S+))$", line)
    if match is None:
        process.kill()
        raise AssertionError(f"no URL printed: {line!r} {process.stderr.read()}")
    return process, match.group(1), int(match.group(2)), match.group(3)


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_the_command_serves_the_page_behind_its_token_and_stops_on_ctrl_c():
    process, url, port, token = _start("--port", "0")
    try:
        assert len(token) >= 32  # a fresh random secret, as Jupyter's
        status, body = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert _get(f"http://127.0.0.1:{port}/")[0] == 403
        assert _get(f"http://127.0.0.1:{port}/?token=wrong{token}")[0] == 403
        status, page = _get(url)
        assert status == 200 and "<html" in page.lower()
        # another name for this machine (DNS rebinding) is refused, even with the token
        request = urllib.request.Request(url, headers={"Host": f"rebound.example:{port}"})
        assert _get(request)[0] == 400
        localhost = urllib.request.Request(url, headers={"Host": f"localhost:{port}"})
        assert _get(localhost)[0] == 200
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)  # Ctrl-C ends it: no hang
        assert process.returncode == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()


def test_a_port_in_use_is_one_line_and_exit_code_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*COMMAND, "playground", "--no-browser", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), result.stderr
    assert str(port) in lines[0] and "--port 0" in lines[0]
