import copy
import json
import sys
import time

import numpy as np
import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from glassnet.playground import protocol
from glassnet.playground.server import create_app

TOKEN = "test-token-0123456789"
GOOD = {"origin": "http://testserver"}


@pytest.fixture
def static(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><html><body>playground</body></html>")
    (tmp_path / "app.js").write_text("export const answer = 42;\n")
    (tmp_path / "vendor").mkdir()
    return tmp_path


@pytest.fixture
def app(static):
    return create_app(TOKEN, static_dir=static, max_sessions=3)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def config(**changes):
    c = copy.deepcopy(protocol.DEFAULT_CONFIG)
    c.update(changes)
    return c


def connect(client, token=TOKEN, headers=GOOD):
    return client.websocket_connect(f"/ws?token={token}", headers=headers)


def receive(ws):
    """The next message: a dict for JSON text, bytes for a frame."""
    message = ws.receive()
    if message.get("bytes") is not None:
        return message["bytes"]
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(message.get("code", 1000))
    return json.loads(message["text"])


def until(ws, kind, limit=2000):
    """Messages up to and including the first JSON message of this type."""
    seen = []
    for _ in range(limit):
        message = receive(ws)
        seen.append(message)
        if isinstance(message, dict) and message["type"] == kind:
            return message, seen
    raise AssertionError(f"no {kind!r} message among {len(seen)}")


def started(ws, **changes):
    hello = receive(ws)
    assert hello["type"] == "hello" and hello["version"] == 1
    ws.send_json({"type": "config", "config": config(**changes)})
    data = receive(ws)
    state = receive(ws)
    frame = receive(ws)
    return hello, data, state, frame


def test_healthz_needs_no_token(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "sessions": 0}


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/?token=wrong", "/static/app.js?token=x"])
def test_http_without_the_right_token_is_forbidden(client, path):
    response = client.get(path)
    assert response.status_code == 403 and "token" in response.text
    assert response.headers["content-type"].startswith("text/plain")


def test_the_page_with_the_token_sets_a_cookie_and_security_headers(client):
    response = client.get(f"/?token={TOKEN}")
    assert response.status_code == 200 and "playground" in response.text
    assert response.headers["content-type"].startswith("text/html")
    cookie = response.headers["set-cookie"]
    assert (
        f"glassnet_token={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    )
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self' ws://testserver" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # the cookie alone now opens the static files
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "answer = 42" in script.text
    assert client.get("/static/vendor").status_code == 404  # no directory listing
    assert client.get("/static/../index.html").status_code in (403, 404)


def test_websocket_without_or_with_a_wrong_token_is_refused(client):
    for url in ("/ws", "/ws?token=wrong"):
        with (
            pytest.raises(WebSocketDenialResponse) as info,
            client.websocket_connect(url, headers=GOOD),
        ):
            pass
        assert info.value.status_code == 403


def test_websocket_from_another_origin_is_refused(client):
    with (
        pytest.raises(WebSocketDisconnect) as info,
        connect(client, headers={"origin": "http://evil.example"}),
    ):
        pass
    assert info.value.code == 4403
    with connect(client, headers={}) as ws:  # no Origin (not a browser) but the token: accepted
        assert receive(ws)["type"] == "hello"


def test_every_message_type(client):
    with connect(client) as ws:
        hello, data, state, frame = started(ws, dataset="xor", n_points=100)
        assert (
            hello["defaults"] == protocol.DEFAULT_CONFIG and hello["limits"]["max_points"] == 2000
        )
        assert (
            data["type"] == "data" and data["domain"] == [-6, 6] and len(data["train"]["x"]) == 50
        )
        assert state["type"] == "state" and state["epoch"] == 0 and state["status"] == "paused"
        decoded = protocol.decode_frame(frame)
        assert decoded.maps.shape == (2 + 4 + 2 + 1, 50, 50) and decoded.epoch == 0

        ws.send_json({"type": "step"})
        state = receive(ws)
        assert state["epoch"] == 1 and state["history"]["epoch"] == [1]
        assert protocol.decode_frame(receive(ws)).epoch == 1

        ws.send_json({"type": "play"})
        state, _ = until(ws, "state")
        assert state["status"] == "playing"
        ws.send_json({"type": "pause"})
        for _ in range(1000):
            state, _ = until(ws, "state")
            if state["status"] == "paused":
                break
        assert state["status"] == "paused" and state["epoch"] >= 1

        ws.send_json({"type": "reset"})
        state, _ = until(ws, "state")
        assert (
            state["epoch"] == 0 and state["history_from"] == 0 and state["history"]["epoch"] == []
        )

        ws.send_json({"type": "set", "key": "learning_rate", "value": 0.1})
        state, _ = until(ws, "state")
        assert state["config"]["learning_rate"] == 0.1

        ws.send_json({"type": "set_weight", "layer": 0, "row": 1, "col": 2, "value": 0.75})
        state, _ = until(ws, "state")
        assert state["weights"][0]["kernel"][1][2] == 0.75
        ws.send_json({"type": "set_weight", "layer": 2, "bias": 0, "value": -0.5})
        state, _ = until(ws, "state")
        assert state["weights"][2]["bias"] == [-0.5]

        ws.send_json({"type": "add_point", "x": [1.5, -2.0], "label": 0})
        data, _ = until(ws, "data")
        assert data["train"]["x"][-1] == [1.5, -2.0] and len(data["train"]["x"]) == 51

        ws.send_json({"type": "explain"})
        explained, _ = until(ws, "explain")
        assert explained["batch"] == [0, 10] and explained["steps"][0]["key"] == "X"
        assert np.shape(explained["steps"][0]["value"]) == (10, 2)

        ws.send_json({"type": "export"})
        exported, _ = until(ws, "export")
        assert (
            "playground.xor(" in exported["code"] and "weights[0][1, 2] = 0.75" in exported["code"]
        )

        ws.send_json({"type": "regenerate"})
        data, _ = until(ws, "data")
        state, _ = until(ws, "state")
        assert data["train"]["x"] and state["config"]["data_seed"] == 1 and state["epoch"] == 0

        rows = "\n".join(f"{i % 5 - 2},{i % 3 - 1},{i % 2}" for i in range(40))
        ws.send_json({"type": "upload_csv", "name": "mine.csv", "text": "a,b,c\n" + rows})
        data, _ = until(ws, "data")
        state, _ = until(ws, "state")
        assert state["config"]["dataset"] == "custom" and len(data["train"]["x"]) == 20

        ws.send_json({"type": "ping"})
        pong, _ = until(ws, "pong")
        assert pong == {"type": "pong"}


@pytest.mark.parametrize(
    "bad",
    [
        "this is not json",
        json.dumps({"type": "fly"}),
        json.dumps({"type": "step", "epochs": 3}),
        json.dumps({"type": "set", "key": "learning_rate", "value": "high"}),
        json.dumps({"type": "set", "key": "learning_rate", "value": 99}),
        json.dumps({"type": "ping", "pad": "x" * (70 * 1024)}),
        json.dumps({"type": "set_weight", "layer": 5, "row": 0, "col": 0, "value": 1.0}),
        # a number too large for a float, and arrays nested too deep for the JSON parser
        pytest.param(
            '{"type": "set", "key": "learning_rate", "value": 1' + "0" * 400 + "}",
            id="a-400-digit-rate",
        ),
        pytest.param(
            '{"type": "add_point", "x": [1' + "0" * 400 + ', 0], "label": 0}',
            id="a-400-digit-point",
        ),
        pytest.param(
            '{"type": "ping", "x": ' + "[" * 30000 + "]" * 30000 + "}", id="nested-30000-deep"
        ),
    ],
)
def test_a_bad_message_gets_an_error_and_the_session_goes_on(client, bad):
    with connect(client) as ws:
        started(ws)
        ws.send_text(bad)
        error = receive(ws)
        assert error["type"] == "error" and error["code"] == "bad_message"
        assert len(error["message"]) > 10
        ws.send_json({"type": "step"})
        state, _ = until(ws, "state")
        assert state["epoch"] == 1


def test_a_binary_message_gets_an_error(client):
    with connect(client) as ws:
        receive(ws)
        ws.send_bytes(b"\x00\x01\x02")
        error = receive(ws)
        assert error["code"] == "bad_message" and "binary" in error["message"]
        ws.send_json({"type": "ping"})
        assert receive(ws) == {"type": "pong"}


def test_too_many_sessions(client, app):
    with connect(client) as a, connect(client) as b, connect(client) as c:
        for ws in (a, b, c):
            assert receive(ws)["type"] == "hello"
        assert client.get("/healthz").json()["sessions"] == 3
        with connect(client) as d:
            error = receive(d)
            assert error["type"] == "error" and error["code"] == "too_many_sessions"
            assert "3 sessions" in error["message"]
            with pytest.raises(WebSocketDisconnect) as info:
                receive(d)
            assert info.value.code == 1013
    assert app.state.sessions.wait_for(0, timeout=30)
    assert client.get("/healthz").json()["sessions"] == 0


def test_a_client_leaving_mid_training_leaves_the_server_healthy(client, app):
    with connect(client) as ws:
        started(ws, dataset="spiral")
        workers = list(app.state.sessions.workers)
        ws.send_json({"type": "play"})
        for _ in range(3):
            until(ws, "state")
    assert app.state.sessions.wait_for(0, timeout=30)
    assert len(workers) == 1 and workers[0].join(10)
    assert client.get("/healthz").json() == {"status": "ok", "sessions": 0}
    with connect(client) as ws:  # and the next page trains as before
        started(ws)
        ws.send_json({"type": "step"})
        assert until(ws, "state")[0]["epoch"] == 1


def test_playing_sends_at_most_thirty_pairs_a_second(client):
    with connect(client) as ws:
        started(ws)
        ws.send_json({"type": "play"})
        first, _ = until(ws, "state")
        start = time.perf_counter()
        states, frames, epochs = 1, 0, [first["epoch"]]
        while time.perf_counter() - start < 1.5:
            message = receive(ws)
            if isinstance(message, bytes):
                frames += 1
            elif message["type"] == "state":
                states += 1
                epochs.append(message["epoch"])
        elapsed = time.perf_counter() - start
        assert states - 1 <= 30 * elapsed + 2
        assert frames >= states - 2  # each state comes with its frame
        assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
        # the history arrives as tails that join up
        ws.send_json({"type": "pause"})


def test_history_tails_join_into_the_full_series(client):
    with connect(client) as ws:
        started(ws)
        series: list[int] = []
        for _ in range(4):
            ws.send_json({"type": "step"})
            state, _ = until(ws, "state")
            assert state["history_from"] == len(series)
            series += state["history"]["epoch"]
        assert series == [1, 2, 3, 4]


def test_the_explain_reply_equals_model_explain(client, app):
    with connect(client) as ws:
        started(ws, dataset="gaussians", n_points=60)
        ws.send_json({"type": "step"})
        until(ws, "state")
        ws.send_json({"type": "explain"})
        explained, _ = until(ws, "explain")
        session = next(iter(app.state.sessions.workers)).session
        index = session.next_batch()
        model = copy.deepcopy(session.main.model)
        expected = model.explain(session.f_train[index], session.y_train[index].reshape(-1, 1))
        assert [s["key"] for s in explained["steps"]] == expected.keys()
        for sent, step in zip(explained["steps"], expected.steps, strict=True):
            assert np.array_equal(
                np.asarray(sent["value"], dtype=np.float64), step.value.astype(np.float64)
            )
        assert explained["loss_after"] == expected.loss_after


def test_core_import_does_not_need_the_server_packages():
    import subprocess

    code = (
        "import sys, glassnet, glassnet.playground, glassnet.playground.session, "
        "glassnet.playground.export, glassnet.datasets.playground; "
        "assert not any(m.split('.')[0] in ('starlette', 'uvicorn') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith(('starlette', 'uvicorn')))"
    )
    import os
    from pathlib import Path

    import glassnet

    source = str(Path(glassnet.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr


def test_serve_without_starlette_says_how_to_install(monkeypatch):
    from glassnet.playground import launch

    monkeypatch.setitem(sys.modules, "starlette", None)
    with pytest.raises(ImportError, match=r'pip install "glassnet\[playground\]"'):
        launch.serve(open_browser=False)


def test_create_app_checks_its_arguments(static):
    with pytest.raises(ValueError, match="at least 8"):
        create_app("short", static_dir=static)
    with pytest.raises(ValueError, match="max_sessions"):
        create_app(TOKEN, static_dir=static, max_sessions=0)
