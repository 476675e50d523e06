import copy
import json
import struct

import numpy as np
import pytest

from glassnet.playground import protocol
from glassnet.playground.protocol import ProtocolError, parse_message


def config(**changes):
    c = copy.deepcopy(protocol.DEFAULT_CONFIG)
    c.update(changes)
    return c


def msg(**fields):
    return json.dumps(fields)


@pytest.mark.parametrize(
    "kind", ["play", "pause", "step", "reset", "regenerate", "explain", "export", "ping"]
)
def test_messages_without_arguments(kind):
    assert parse_message(msg(type=kind)) == {"type": kind}


def test_config_message_is_normalised():
    parsed = parse_message(
        msg(type="config", config=config(noise=5, layers=[3], activations=["relu"]))
    )
    assert parsed["config"]["noise"] == 5.0 and parsed["config"]["layers"] == [3]
    assert parsed["config"]["compare"] is None


def test_set_set_weight_add_point_upload():
    assert parse_message(msg(type="set", key="learning_rate", value=0.3))["value"] == 0.3
    assert parse_message(msg(type="set", key="batch_size", value=25))["value"] == 25
    w = parse_message(msg(type="set_weight", layer=1, row=0, col=3, value=-1.5))
    assert (w["layer"], w["row"], w["col"], w["value"]) == (1, 0, 3, -1.5)
    b = parse_message(msg(type="set_weight", layer=0, bias=2, value=0.25))
    assert b["bias"] == 2 and "row" not in b
    p = parse_message(msg(type="add_point", x=[1, -2.5], label=1))
    assert p["x"] == [1.0, -2.5] and p["label"] == 1.0
    u = parse_message(msg(type="upload_csv", name="a.csv", text="x1,x2,y\n1,2,0\n"))
    assert u["text"].startswith("x1")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", 'object with a "type"'),
        (msg(type="jump"), "unknown message type"),
        (msg(type="play", now=True), r"unknown key\(s\) \['now'\]"),
        (msg(type="set", key="seed", value=3), "set.key must be one of"),
        (msg(type="set", key="learning_rate", value="fast"), "must be a number"),
        (msg(type="set", key="learning_rate", value=0), r"in \(0, 10\]"),
        (msg(type="set", key="batch_size", value=2.5), "must be an integer"),
        (msg(type="set_weight", layer=0, row=0, value=1), r"missing key\(s\) \['col'\]"),
        (msg(type="set_weight", layer=0, row=0, col=0, value=1e9), r"\[-1000, 1000\]"),
        (
            msg(type="add_point", x=[7, 0], label=0),
            r"add_point.x\[0\] must be a number in \[-6, 6\]",
        ),
        (msg(type="add_point", x=[1], label=0), r"\[x1, x2\]"),
        (msg(type="config", config={"dataset": "circle"}), "missing key"),
        (msg(type="config", config=config(dataset="moons")), "config.dataset must be one of"),
        (msg(type="config", config=config(layers=[9], activations=["tanh"])), r"\[1, 8\]"),
        (msg(type="config", config=config(layers=[1] * 7, activations=["tanh"] * 7)), "0 to 6"),
        (msg(type="config", config=config(activations=["tanh"])), "one activation per hidden"),
        (msg(type="config", config=config(classes=3)), "only gaussians, spiral and custom"),
        (
            msg(type="config", config=config(dataset="spiral", classes=3, output="sigmoid")),
            "softmax",
        ),
        (msg(type="config", config=config(dataset="plane", output="softmax")), "regression"),
        (msg(type="config", config=config(features=["x1", "x1"])), "must not repeat"),
        (msg(type="config", config=config(features=[])), "non-empty"),
        (msg(type="config", config=config(compare={"key": "seed", "value": 1})), "compare.key"),
        (
            msg(type="config", config=config(compare={"key": "activation", "value": "gelu"})),
            "compare.value",
        ),
        (msg(type="config", config=config(extra=1)), r"unknown key\(s\) \['extra'\]"),
        (
            msg(type="config", config=config(loss="mae")),
            r"config.loss must be one of \['auto', 'mse'\], got \"mae\"",
        ),
        (msg(type="config", config=config(loss=None)), r"config.loss must be one of"),
        (
            msg(type="config", config=config(initializer="he_normal")),
            r"config.initializer must be one of \['glorot_uniform', 'uniform'\], got \"he_normal\"",
        ),
        (
            msg(type="config", config=config(dataset="spiral", classes=3, loss="mse")),
            "loss 'mse' needs a single output unit",
        ),
        (msg(type="config", config=config(dataset="paper", classes=3)), "'paper' has 2"),
    ],
)
def test_bad_messages_say_what_was_wrong(text, match):
    with pytest.raises(ProtocolError, match=match) as info:
        parse_message(text)
    assert info.value.code == "bad_message"


def test_oversize_and_binary_messages_are_refused():
    big = msg(type="ping", pad="x" * protocol.MAX_MESSAGE_BYTES)
    with pytest.raises(ProtocolError, match="too large"):
        parse_message(big)
    with pytest.raises(ProtocolError, match="binary frame"):
        parse_message(b"\x00\x01")
    huge = "x" * (protocol.MAX_UPLOAD_BYTES + 100)
    with pytest.raises(ProtocolError, match="1 MiB") as info:
        parse_message(msg(type="upload_csv", name="big.csv", text=huge))
    assert info.value.code == "limit"
    # an upload may be larger than an ordinary message
    ok = "x1,x2,y\n" + "1,1,0\n" * 20000
    assert len(ok) > protocol.MAX_MESSAGE_BYTES
    assert parse_message(msg(type="upload_csv", name="ok.csv", text=ok))["name"] == "ok.csv"


def test_loss_and_initializer_are_optional_and_default_to_todays_behaviour():
    old = config()
    del old["loss"], old["initializer"]
    parsed = parse_message(msg(type="config", config=old))["config"]
    assert parsed["loss"] == "auto" and parsed["initializer"] == "glorot_uniform"
    assert parsed == protocol.validate_config(config())
    chosen = protocol.validate_config(config(loss="mse", initializer="uniform"))
    assert chosen["loss"] == "mse" and chosen["initializer"] == "uniform"


def test_loss_resolution():
    assert protocol.resolve_loss("auto", "sigmoid") == "binary_crossentropy"
    assert protocol.resolve_loss("auto", "softmax") == "sparse_categorical_crossentropy"
    assert protocol.resolve_loss("auto", "linear") == "mean_squared_error"
    assert protocol.resolve_loss("mse", "sigmoid") == "mean_squared_error"
    assert protocol.resolve_loss("mse", "linear") == "mean_squared_error"
    with pytest.raises(ProtocolError, match="softmax output takes loss 'auto'"):
        protocol.resolve_loss("mse", "softmax")


def test_output_resolution():
    assert protocol.resolve_output("auto", "classification", 2) == "sigmoid"
    assert protocol.resolve_output("auto", "classification", 3) == "softmax"
    assert protocol.resolve_output("auto", "regression", 2) == "linear"
    assert protocol.resolve_output("linear", "classification", 2) == "linear"


def test_csv_classification_and_regression():
    data = protocol.parse_csv("a,b,label\n1,2,0\n-1,0.5,2\n3,3,1\n\n")
    assert data.task == "classification" and data.classes == 3
    assert data.x.tolist() == [[1, 2], [-1, 0.5], [3, 3]] and data.y.tolist() == [0, 2, 1]
    reg = protocol.parse_csv("a,b,v\n1,2,0.5\n-1,0.5,-0.25\n")
    assert reg.task == "regression" and reg.classes is None and reg.y.tolist() == [0.5, -0.25]


@pytest.mark.parametrize(
    ("text", "match", "code"),
    [
        ("", "empty", "bad_csv"),
        ("a,b\n1,2\n", "header of 3 columns", "bad_csv"),
        ("a,b,c\n1,2,0\n1,x,1\n", "line 3, column 2: expected a number, got 'x'", "bad_csv"),
        ("a,b,c\n1,2,0\n1,2\n", "line 3: expected 3 values", "bad_csv"),
        ("a,b,c\n1,2,0\n9,2,1\n", "outside the plane", "bad_csv"),
        ("a,b,c\n1,2,0\n1,2,0\n", "single class", "bad_csv"),
        ("a,b,c\n" + "1,1,0\n" * 2001, "at most 2000", "limit"),
        pytest.param(
            'a,b,c\n"' + "1" * 200_000 + '",1,0\n',
            "cannot be read: field larger",
            "bad_csv",
            id="a-200000-character-field",
        ),
    ],
)
def test_bad_csv_names_the_line(text, match, code):
    with pytest.raises(ProtocolError, match=match) as info:
        protocol.parse_csv(text)
    assert info.value.code == code


def test_frame_round_trip():
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(3, 50, 50))
    maps[1] = np.linspace(-1, 1, 2500).reshape(50, 50)
    frame = protocol.encode_frame(maps, epoch=1234)
    assert frame[:4] == b"GNHM"
    version, r, epoch, n, reserved = struct.unpack_from("<HHIHH", frame, 4)
    assert (version, r, epoch, n, reserved) == (1, 50, 1234, 3, 0)
    assert len(frame) == 16 + 3 * 8 + 3 * 2500
    decoded = protocol.decode_frame(frame)
    assert decoded.epoch == 1234 and not decoded.compare
    assert np.allclose(decoded.lo, maps.reshape(3, -1).min(axis=1), atol=1e-6)
    assert np.allclose(decoded.hi, maps.reshape(3, -1).max(axis=1), atol=1e-6)
    assert decoded.maps[1, 0, 0] == 0 and decoded.maps[1, -1, -1] == 255  # lo ↔ 0, hi ↔ 255
    span = (decoded.hi - decoded.lo)[:, None, None]
    assert np.all(np.abs(decoded.values() - maps) <= span / 255 / 2 + 1e-6)


def test_compare_frame_and_non_finite_values():
    maps = np.zeros((2, 4, 4))
    maps[0] = 5.0  # flat: every byte 0, lo = hi
    maps[1, 0, 0], maps[1, 0, 1], maps[1, 0, 2] = np.nan, np.inf, -np.inf
    maps[1, 1, 1] = 2.0
    decoded = protocol.decode_frame(protocol.encode_frame(maps, epoch=7, compare=True))
    assert decoded.compare and decoded.resolution == 4
    assert decoded.lo[0] == decoded.hi[0] == 5.0 and not decoded.maps[0].any()
    assert decoded.lo[1] == 0.0 and decoded.hi[1] == 2.0
    assert decoded.maps[1, 0, :3].tolist() == [0, 255, 0] and decoded.maps[1, 1, 1] == 255


def test_decode_refuses_other_bytes():
    with pytest.raises(ValueError, match="GNHM"):
        protocol.decode_frame(b"PNG\x00" + bytes(20))
    frame = protocol.encode_frame(np.zeros((1, 3, 3)), 0)
    with pytest.raises(ValueError, match="announces"):
        protocol.decode_frame(frame[:-1])


def test_json_helpers_replace_non_finite_numbers():
    assert protocol.array_json(np.array([[1.0, np.nan], [np.inf, 2.0]])) == [
        [1.0, None],
        [None, 2.0],
    ]
    assert protocol.array_json(np.float32(0.1)) == float(np.float32(0.1))
    text = protocol.dumps({"a": protocol.finite([float("nan"), 1.5])})
    assert json.loads(text) == {"a": [None, 1.5]}
    with pytest.raises(ValueError):
        protocol.dumps({"a": float("nan")})
