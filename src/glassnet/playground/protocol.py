"""The playground's messages: the schema of every client message, its size limits, the CONFIG
object, CSV uploads, and the binary heat-map frame.

Client → server messages are JSON objects with a ``"type"``; `parse_message` checks one against
the schema (unknown types or keys, wrong types, values out of range, oversize or non-JSON text)
and raises `ProtocolError` saying what was wrong and what was expected.

A heat-map frame (`encode_frame` / `decode_frame`) is little-endian::

    b"GNHM" · uint16 version · uint16 R · uint32 epoch · uint16 N · uint16 reserved
    · N × (float32 lo, float32 hi) · N × R×R uint8

Each map is quantised linearly: byte b stands for lo + b/255·(hi − lo) (row 0 is the top of
the plane, x₂ = +6; column 0 its left, x₁ = −6). ``reserved = 0x8000`` marks the frame of the
compared network.
"""

from __future__ import annotations

import csv
import io
import json
import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.datasets import playground as data

VERSION = 1
RESOLUTION = 50
MAGIC = b"GNHM"
COMPARE_FLAG = 0x8000
_HEADER = struct.Struct("<4sHHIHH")

MAX_MESSAGE_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_POINTS = 2000
MAX_CSV_ROWS = 2000
MAX_LAYERS = 6
MAX_NEURONS = 8
MAX_SESSIONS = 16
MAX_SEED = 2**31 - 1
MAX_WEIGHT = 1e3

LIMITS: dict[str, Any] = {
    "max_message_bytes": MAX_MESSAGE_BYTES,
    "max_upload_bytes": MAX_UPLOAD_BYTES,
    "max_points": MAX_POINTS,
    "max_csv_rows": MAX_CSV_ROWS,
    "max_layers": MAX_LAYERS,
    "max_neurons": MAX_NEURONS,
    "max_classes": data.MAX_CLASSES,
    "resolution": RESOLUTION,
    "domain": [-data.DOMAIN, data.DOMAIN],
    "max_frames_per_second": 30,
}
"""The caps, as sent to the page in ``hello``."""

DATASETS = (*data.CLASSIFICATION, *data.REGRESSION, "custom")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUTS = ("auto", "sigmoid", "softmax", "linear")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
LOSSES = ("auto", "mse")
INITIALIZERS = ("glorot_uniform", "uniform")
COMPARE_KEYS = ("activation", "learning_rate", "optimizer", "layers")
LIVE_KEYS = ("learning_rate", "regularization_rate", "batch_size")

DEFAULT_CONFIG: dict[str, Any] = {
    "dataset": "circle",
    "classes": 2,
    "noise": 0,
    "train_ratio": 50,
    "n_points": 500,
    "data_seed": 0,
    "seed": 0,
    "features": ["x1", "x2"],
    "layers": [4, 2],
    "activations": ["tanh", "tanh"],
    "output": "auto",
    "optimizer": "sgd",
    "learning_rate": 0.03,
    "batch_size": 10,
    "regularization": "none",
    "regularization_rate": 0,
    "compare": None,
    "loss": "auto",
    "initializer": "glorot_uniform",
}
"""TensorFlow Playground's defaults (``loss`` and ``initializer``: glassnet's usual choices)."""

OPTIONAL_KEYS = ("loss", "initializer")
"""The CONFIG keys a ``config`` message may leave out (they take their default)."""

DATA_KEYS = ("dataset", "classes", "noise", "train_ratio", "n_points", "data_seed")
"""The CONFIG keys that decide the data (a change rebuilds it)."""


class ProtocolError(ValueError):
    """A message the server refuses: ``code`` for the page, the text says what was expected."""

    def __init__(self, message: str, code: str = "bad_message") -> None:
        super().__init__(message)
        self.code = code


# -- scalar checks -----------------------------------------------------------------------------
def _number(where: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProtocolError(f"{where} must be a number, got {json.dumps(value)}")
    try:
        v = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise ProtocolError(
            f"{where} must be a number in [{low:g}, {high:g}], got an integer too large"
        ) from None
    left = "(" if low_open else "["
    if not math.isfinite(v) or (v <= low if low_open else v < low) or v > high:
        raise ProtocolError(f"{where} must be a number in {left}{low:g}, {high:g}], got {value!r}")
    return v


def _integer(where: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{where} must be an integer, got {json.dumps(value)}")
    if not low <= value <= high:
        raise ProtocolError(f"{where} must be an integer in [{low}, {high}], got {value}")
    return value


def _choice(where: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ProtocolError(f"{where} must be one of {list(choices)}, got {json.dumps(value)}")
    return value


def _keys(where: str, obj: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    if not isinstance(obj, dict):
        raise ProtocolError(f"{where} must be a JSON object, got {json.dumps(obj)[:80]}")
    unknown = sorted(set(obj) - set(required) - set(optional))
    if unknown:
        allowed = list(required + optional) or "no other keys"
        raise ProtocolError(f"{where}: unknown key(s) {unknown}; expected {allowed}")
    missing = [k for k in required if k not in obj]
    if missing:
        raise ProtocolError(f"{where}: missing key(s) {missing}")


def _layers(where: str, value: Any) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_LAYERS:
        raise ProtocolError(
            f"{where} must be a list of 0 to {MAX_LAYERS} layer sizes, got {json.dumps(value)}"
        )
    return [_integer(f"{where}[{i}]", v, 1, MAX_NEURONS) for i, v in enumerate(value)]


# -- CONFIG ------------------------------------------------------------------------------------
def task_of(dataset: str) -> str:
    """ "regression" for plane and gaussian, else "classification" (custom: see the data)."""
    return "regression" if dataset in data.REGRESSION else "classification"


def resolve_output(output: str, task: str, classes: int) -> str:
    """The output activation: ``auto`` is sigmoid (2 classes), softmax (more) or linear
    (regression); an impossible choice raises `ProtocolError`."""
    if task == "regression":
        if output not in ("auto", "linear"):
            raise ProtocolError(
                f"output {output!r} does not fit a regression data set; expected 'auto' or 'linear'"
            )
        return "linear"
    if output == "auto":
        return "sigmoid" if classes == 2 else "softmax"
    if classes > 2 and output != "softmax":
        raise ProtocolError(
            f"output {output!r} cannot tell {classes} classes apart; expected 'softmax' or 'auto'"
        )
    return output


LOSS_NAMES = {
    "sigmoid": "binary_crossentropy",
    "softmax": "sparse_categorical_crossentropy",
    "linear": "mean_squared_error",
}
"""The loss of ``loss = "auto"`` for each output activation."""


def resolve_loss(loss: str, output: str) -> str:
    """The loss function's name for a resolved output activation: ``auto`` is binary
    cross-entropy (sigmoid), sparse categorical cross-entropy (softmax) or mean squared error
    (linear); ``mse`` is mean squared error, L = mean((a − y)²), on a sigmoid or linear output
    (the paper's squared error on its sigmoid output). An impossible choice raises
    `ProtocolError`."""
    if loss == "auto":
        return LOSS_NAMES[output]
    if output == "softmax":
        raise ProtocolError(
            "loss 'mse' needs a single output unit (a sigmoid or linear output); a softmax "
            "output takes loss 'auto' (categorical cross-entropy)"
        )
    return "mean_squared_error"


def validate_compare(value: Any) -> dict[str, Any] | None:
    """``null`` or ``{"key": K, "value": V}`` with V valid for K."""
    if value is None:
        return None
    _keys("config.compare", value, ("key", "value"))
    key = _choice("config.compare.key", value["key"], COMPARE_KEYS)
    v = value["value"]
    where = "config.compare.value"
    checked: Any
    if key == "activation":
        checked = _choice(where, v, ACTIVATIONS)
    elif key == "learning_rate":
        checked = _number(where, v, 0.0, 10.0, low_open=True)
    elif key == "optimizer":
        checked = _choice(where, v, OPTIMIZERS)
    else:
        checked = _layers(where, v)
    return {"key": key, "value": checked}


def validate_config(obj: Any) -> dict[str, Any]:
    """A complete CONFIG (every key required but the `OPTIONAL_KEYS`, none unknown), checked
    and normalised: a missing optional key takes its default."""
    _keys(
        "config",
        obj,
        tuple(k for k in DEFAULT_CONFIG if k not in OPTIONAL_KEYS),
        OPTIONAL_KEYS,
    )
    obj = {**{k: DEFAULT_CONFIG[k] for k in OPTIONAL_KEYS}, **obj}
    c: dict[str, Any] = {}
    c["dataset"] = _choice("config.dataset", obj["dataset"], DATASETS)
    c["classes"] = _integer("config.classes", obj["classes"], 2, data.MAX_CLASSES)
    if c["classes"] > 2 and c["dataset"] not in (*data.MULTICLASS, "custom"):
        raise ProtocolError(
            f"config.classes = {c['classes']}: only gaussians, spiral and custom data have more "
            f"than 2 classes ({c['dataset']!r} has 2)"
        )
    c["noise"] = _number("config.noise", obj["noise"], 0, 50)
    c["train_ratio"] = _number("config.train_ratio", obj["train_ratio"], 10, 90)
    c["n_points"] = _integer("config.n_points", obj["n_points"], 50, MAX_POINTS)
    c["data_seed"] = _integer("config.data_seed", obj["data_seed"], 0, MAX_SEED)
    c["seed"] = _integer("config.seed", obj["seed"], 0, MAX_SEED)
    features = obj["features"]
    if not isinstance(features, list) or not features:
        raise ProtocolError(
            f"config.features must be a non-empty list out of {list(data.FEATURES)}, got "
            f"{json.dumps(features)}"
        )
    for i, name in enumerate(features):
        _choice(f"config.features[{i}]", name, tuple(data.FEATURES))
    if len(set(features)) != len(features):
        raise ProtocolError(f"config.features must not repeat a feature, got {features}")
    c["features"] = list(features)
    c["layers"] = _layers("config.layers", obj["layers"])
    acts = obj["activations"]
    if not isinstance(acts, list) or len(acts) != len(c["layers"]):
        raise ProtocolError(
            f"config.activations must list one activation per hidden layer ({len(c['layers'])}),"
            f" got {json.dumps(acts)}"
        )
    c["activations"] = [
        _choice(f"config.activations[{i}]", a, ACTIVATIONS) for i, a in enumerate(acts)
    ]
    c["output"] = _choice("config.output", obj["output"], OUTPUTS)
    c["loss"] = _choice("config.loss", obj["loss"], LOSSES)
    c["initializer"] = _choice("config.initializer", obj["initializer"], INITIALIZERS)
    if c["dataset"] != "custom":
        output = resolve_output(c["output"], task_of(c["dataset"]), c["classes"])
        resolve_loss(c["loss"], output)
    c["optimizer"] = _choice("config.optimizer", obj["optimizer"], OPTIMIZERS)
    c["learning_rate"] = _number("config.learning_rate", obj["learning_rate"], 0, 10, True)
    c["batch_size"] = _integer("config.batch_size", obj["batch_size"], 1, MAX_POINTS)
    c["regularization"] = _choice("config.regularization", obj["regularization"], REGULARIZATIONS)
    c["regularization_rate"] = _number(
        "config.regularization_rate", obj["regularization_rate"], 0, 10
    )
    c["compare"] = validate_compare(obj["compare"])
    return c


# -- messages ----------------------------------------------------------------------------------
_NO_KEYS = ("play", "pause", "step", "reset", "regenerate", "explain", "export", "ping")


def parse_message(text: str | bytes) -> dict[str, Any]:
    """A client message checked against the schema; `ProtocolError` says what was wrong."""
    if isinstance(text, bytes):
        raise ProtocolError("messages must be JSON text frames, got a binary frame")
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_UPLOAD_BYTES + MAX_MESSAGE_BYTES:
        raise ProtocolError(
            f"message of {size} bytes is too large: at most {MAX_MESSAGE_BYTES} bytes "
            f"({MAX_UPLOAD_BYTES} for upload_csv)"
        )
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise ProtocolError(f"message is not valid JSON ({exc}); expected an object") from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise ProtocolError("message is nested too deeply; expected a flat JSON object") from None
    if not isinstance(obj, dict) or "type" not in obj:
        raise ProtocolError('a message must be a JSON object with a "type"')
    kind = obj["type"]
    if kind != "upload_csv" and size > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            f"message of {size} bytes is too large: at most {MAX_MESSAGE_BYTES} bytes"
        )
    if kind in _NO_KEYS:
        _keys(f"{kind} message", obj, ("type",))
        return {"type": kind}
    if kind == "config":
        _keys("config message", obj, ("type", "config"))
        return {"type": kind, "config": validate_config(obj["config"])}
    if kind == "set":
        _keys("set message", obj, ("type", "key", "value"))
        key = _choice("set.key", obj["key"], LIVE_KEYS)
        value: Any
        if key == "learning_rate":
            value = _number("set.value (learning_rate)", obj["value"], 0, 10, low_open=True)
        elif key == "regularization_rate":
            value = _number("set.value (regularization_rate)", obj["value"], 0, 10)
        else:
            value = _integer("set.value (batch_size)", obj["value"], 1, MAX_POINTS)
        return {"type": kind, "key": key, "value": value}
    if kind == "set_weight":
        which = "bias" if "bias" in obj else "kernel"
        if which == "bias":
            _keys("set_weight message", obj, ("type", "layer", "bias", "value"))
        else:
            _keys("set_weight message", obj, ("type", "layer", "row", "col", "value"))
        out: dict[str, Any] = {
            "type": kind,
            "layer": _integer("set_weight.layer", obj["layer"], 0, MAX_LAYERS),
            "value": _number("set_weight.value", obj["value"], -MAX_WEIGHT, MAX_WEIGHT),
        }
        if which == "bias":
            out["bias"] = _integer("set_weight.bias", obj["bias"], 0, MAX_NEURONS)
        else:
            out["row"] = _integer("set_weight.row", obj["row"], 0, MAX_NEURONS)
            out["col"] = _integer("set_weight.col", obj["col"], 0, MAX_NEURONS)
        return out
    if kind == "add_point":
        _keys("add_point message", obj, ("type", "x", "label"))
        x = obj["x"]
        if not isinstance(x, list) or len(x) != 2:
            raise ProtocolError(f"add_point.x must be [x1, x2], got {json.dumps(x)[:80]}")
        point = [
            _number(f"add_point.x[{i}]", v, -data.DOMAIN, data.DOMAIN) for i, v in enumerate(x)
        ]
        label = _number("add_point.label", obj["label"], -1e6, 1e6)
        return {"type": kind, "x": point, "label": label}
    if kind == "upload_csv":
        _keys("upload_csv message", obj, ("type", "name", "text"))
        name, csv_text = obj["name"], obj["text"]
        if not isinstance(name, str) or len(name) > 255:
            raise ProtocolError("upload_csv.name must be a file name of at most 255 characters")
        if not isinstance(csv_text, str):
            raise ProtocolError("upload_csv.text must be the file's text")
        if len(csv_text.encode("utf-8", errors="replace")) > MAX_UPLOAD_BYTES:
            raise ProtocolError(
                f"the CSV file is larger than {MAX_UPLOAD_BYTES} bytes (1 MiB)", code="limit"
            )
        return {"type": kind, "name": name, "text": csv_text}
    accepted = sorted([*_NO_KEYS, "config", "set", "set_weight", "add_point", "upload_csv"])
    raise ProtocolError(f"unknown message type {json.dumps(kind)}; accepted types are {accepted}")


# -- CSV uploads -------------------------------------------------------------------------------
@dataclass
class CsvData:
    """An uploaded data set: points x (n, 2), labels or values y, and what the labels are."""

    x: np.ndarray
    y: np.ndarray
    task: str  # "classification" or "regression"
    classes: int | None


def parse_csv(text: str) -> CsvData:
    """A CSV of a header line and rows ``x1,x2,label`` (at most `MAX_CSV_ROWS` rows, points in
    [-6, 6]²). Labels that are all integers in 0 … 4 make a classification set of
    k = max + 1 classes; any other numbers a regression set. Errors name the line and what
    was expected."""
    try:
        rows = [
            (i + 1, row)
            for i, row in enumerate(csv.reader(io.StringIO(text)))
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ProtocolError(f"the CSV file cannot be read: {exc}", "bad_csv") from None
    if not rows:
        raise ProtocolError(
            "the CSV file is empty; expected a header line then x1,x2,label rows", "bad_csv"
        )
    header_line, header = rows[0]
    if len(header) != 3:
        raise ProtocolError(
            f"line {header_line}: expected a header of 3 columns (two features and a label), "
            f"got {len(header)}",
            "bad_csv",
        )
    body = rows[1:]
    if len(body) < 2:
        raise ProtocolError("the CSV file needs at least 2 data rows after its header", "bad_csv")
    if len(body) > MAX_CSV_ROWS:
        raise ProtocolError(
            f"the CSV file has {len(body)} rows; at most {MAX_CSV_ROWS} are accepted", "limit"
        )
    values = np.empty((len(body), 3))
    for j, (line, row) in enumerate(body):
        if len(row) != 3:
            raise ProtocolError(
                f"line {line}: expected 3 values (x1, x2, label), got {len(row)}", "bad_csv"
            )
        for k, cell in enumerate(row):
            try:
                v = float(cell)
            except ValueError:
                raise ProtocolError(
                    f"line {line}, column {k + 1}: expected a number, got {cell.strip()[:40]!r}",
                    "bad_csv",
                ) from None
            if not math.isfinite(v):
                raise ProtocolError(
                    f"line {line}, column {k + 1}: {cell!r} is not finite", "bad_csv"
                )
            if k < 2 and abs(v) > data.DOMAIN:
                raise ProtocolError(
                    f"line {line}, column {k + 1}: {v:g} lies outside the plane [-6, 6]; "
                    "scale the features into [-6, 6]",
                    "bad_csv",
                )
            values[j, k] = v
    x, labels = values[:, :2], values[:, 2]
    integral = bool(np.all(labels == np.round(labels)))
    if integral and labels.min() >= 0 and labels.max() < data.MAX_CLASSES:
        if len(np.unique(labels)) < 2:
            raise ProtocolError("the labels hold a single class; expected at least two", "bad_csv")
        return CsvData(x, labels.astype(np.int64), "classification", int(labels.max()) + 1)
    return CsvData(x, labels, "regression", None)


# -- JSON out ----------------------------------------------------------------------------------
def finite(value: Any) -> Any:
    """Nested lists and floats with every NaN or infinity replaced by None (JSON has none)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def array_json(value: np.ndarray) -> Any:
    """An array as nested lists of Python floats (float64 repr), non-finite as None."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        v = float(arr)
        return v if math.isfinite(v) else None
    if np.isfinite(arr).all():
        return arr.tolist()
    return finite(arr.tolist())


def dumps(message: dict[str, Any]) -> str:
    """A server message as JSON text (no NaN: non-finite numbers must already be None)."""
    return json.dumps(message, allow_nan=False, separators=(",", ":"))


# -- binary frames -----------------------------------------------------------------------------
@dataclass
class Frame:
    """A decoded heat-map frame: ``maps`` (N, R, R) uint8 and their ranges ``lo``, ``hi``."""

    version: int
    resolution: int
    epoch: int
    compare: bool
    lo: np.ndarray
    hi: np.ndarray
    maps: np.ndarray

    def values(self) -> np.ndarray:
        """The maps back as floats: lo + b/255·(hi − lo)."""
        scale = (self.hi - self.lo).astype(np.float64)[:, None, None] / 255.0
        return self.lo.astype(np.float64)[:, None, None] + self.maps * scale


def quantize(maps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maps (N, R, R) as bytes: lo, hi = the range of each map's finite values (float32), and
    b = round(255·(v − lo)/(hi − lo)); NaN and −inf become 0, +inf 255, a flat map 0."""
    values = np.asarray(maps, dtype=np.float64)
    n = len(values)
    flat = values.reshape(n, -1)
    ok = np.isfinite(flat)
    lo = np.where(ok, flat, np.inf).min(axis=1)
    hi = np.where(ok, flat, -np.inf).max(axis=1)
    none = ~ok.any(axis=1)
    lo[none], hi[none] = 0.0, 0.0
    lo32, hi32 = lo.astype(np.float32), hi.astype(np.float32)
    span = hi32.astype(np.float64) - lo32.astype(np.float64)
    safe = np.where(span > 0, span, 1.0)[:, None]
    scaled = (np.where(ok, flat, 0.0) - lo32.astype(np.float64)[:, None]) / safe * 255.0
    scaled = np.where(span[:, None] > 0, scaled, 0.0)
    scaled = np.where(np.isposinf(flat), 255.0, scaled)
    out = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return lo32, hi32, out.reshape(values.shape)


def encode_frame(maps: np.ndarray, epoch: int, compare: bool = False) -> bytes:
    """The binary frame of maps (N, R, R) at ``epoch`` (see the module docstring)."""
    maps = np.asarray(maps)
    if maps.ndim != 3 or maps.shape[1] != maps.shape[2]:
        raise ValueError(f"heat maps must have shape (N, R, R), got {maps.shape}")
    n, r = maps.shape[0], maps.shape[1]
    lo, hi, q = quantize(maps)
    header = _HEADER.pack(
        MAGIC, VERSION, r, min(int(epoch), 2**32 - 1), n, COMPARE_FLAG if compare else 0
    )
    ranges = np.column_stack([lo, hi]).astype("<f4").tobytes()
    return header + ranges + q.tobytes()


def decode_frame(buffer: bytes) -> Frame:
    """A frame made by `encode_frame`, read back (used by tests and tools)."""
    if len(buffer) < _HEADER.size or buffer[:4] != MAGIC:
        raise ValueError("not a glassnet heat-map frame (expected the magic bytes b'GNHM')")
    _, version, r, epoch, n, reserved = _HEADER.unpack_from(buffer)
    expected = _HEADER.size + 8 * n + n * r * r
    if len(buffer) != expected:
        raise ValueError(f"frame of {len(buffer)} bytes; its header announces {expected}")
    ranges = np.frombuffer(buffer, "<f4", 2 * n, _HEADER.size).reshape(n, 2)
    maps = np.frombuffer(buffer, np.uint8, n * r * r, _HEADER.size + 8 * n).reshape(n, r, r)
    return Frame(
        version,
        r,
        epoch,
        bool(reserved & COMPARE_FLAG),
        ranges[:, 0].copy(),
        ranges[:, 1].copy(),
        maps.copy(),
    )
