"""Saving and loading models: one file, plain data only.

The file is a NumPy ``.npz`` (zip) archive: a JSON header (format, version, architecture,
compile settings, random states, and for a model trained by ``glassnet train`` on a CSV file
its columns and class labels) stored as bytes, the weights, and the optimizer state.
It is read with ``allow_pickle=False``, so a file from a stranger can never run code.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import config, layers, losses, optimizers
from glassnet.models import Functional, Model, Sequential
from glassnet.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    register_serializable,
    serialize_object,
)

MODEL_CLASSES: dict[str, type] = {"Sequential": Sequential, "Functional": Functional}

FORMAT = "glassnet-model"
WEIGHTS_FORMAT = "glassnet-weights"
VERSION = 1
_HEADER = "header"


def _random_layers(model: Model) -> list[Any]:
    """The layers that draw random numbers while training (Dropout, GaussianNoise, …): their
    generators' states are saved, so that training resumes exactly."""
    return [
        layer
        for layer in model.iter_layers()
        if isinstance(getattr(layer, "rng", None), np.random.Generator)
        or isinstance(layer, layers.Dropout)
    ]


def _save_target(model: Model, filepath: str | Path, what: str) -> Path:
    """Where to save ``what`` of a built model: a path that is not a folder."""
    if not model.built:
        raise ValueError(
            f"model {model.name!r} is not built, so it has no weights to save: give the first "
            "layer an input_shape or fit the model first"
        )
    path = Path(filepath)
    if path.is_dir():
        raise IsADirectoryError(f"cannot save {what} to {str(path)!r}: it is a directory")
    return path


def save_model(model: Model, filepath: str | Path) -> None:
    """Write the model to ``filepath`` atomically (a temporary file, then a rename)."""
    path = _save_target(model, filepath, "the model")
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "floatx": model.dtype,
        "model": serialize_object(model, MODEL_CLASSES),
        "build_input_shape": _json_shape(model.build_input_shape),
        "compile": None,
        "rng_state": (
            model.shuffle_rng.bit_generator.state if model.shuffle_rng is not None else None
        ),
        "dropout_rng_states": {
            layer.name: layer.rng.bit_generator.state
            for layer in _random_layers(model)
            if layer.rng is not None
        },
        # what ``glassnet train`` read from a CSV file: target, feature columns, class labels
        "csv_info": getattr(model, "csv_info", None),
    }
    arrays: dict[str, np.ndarray] = {f"weights/{i}": w for i, w in enumerate(model.get_weights())}
    if model.compiled:
        assert model.optimizer is not None
        iterations, slots = model.optimizer.get_state()
        header["compile"] = {
            "optimizer": optimizers.serialize(model.optimizer),
            "loss": _serialize_loss(model.get_compile_config()["loss"]),
            "loss_weights": model.get_compile_config()["loss_weights"],
            "metrics": _string_metrics(model.get_compile_config()["metrics"]),
            "weighted_metrics": _string_metrics(model.get_compile_config()["weighted_metrics"]),
            "optimizer_iterations": iterations,
            "optimizer_slots": {name: len(values) for name, values in slots.items()},
        }
        for name, values in slots.items():
            for i, value in enumerate(values):
                arrays[f"optimizer/{name}/{i}"] = value
    _write(path, header, arrays)


def _write(path: Path, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """One .npz archive of the JSON header and the arrays, written atomically."""
    arrays = {**arrays, _HEADER: np.frombuffer(json.dumps(header).encode("utf-8"), np.uint8)}
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_weights(model: Model, filepath: str | Path) -> None:
    """Write only the weights (as Keras's ``save_weights``): plain arrays, atomically."""
    path = _save_target(model, filepath, "weights")
    weights = model.weights
    header = {
        "format": WEIGHTS_FORMAT,
        "version": VERSION,
        "paths": [w.path for w in weights],
        "shapes": [list(w.value.shape) for w in weights],
    }
    _write(path, header, {f"weights/{i}": w.value for i, w in enumerate(weights)})


# Every zip archive (a .npz) begins with a local file header, or with the end record when empty.
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


def _open_archive(path: Path) -> Any:
    """``np.load`` of a .npz file, never unpickling; anything else is refused before NumPy
    reads it (NumPy would suggest ``allow_pickle`` for a file that is not one of its own)."""
    with path.open("rb") as file:
        start = file.read(4)
    if start not in _ZIP_SIGNATURES:
        raise ValueError(
            "it is empty, not a .npz archive" if not start else "it is not a .npz (zip) archive"
        )
    return np.load(path, allow_pickle=False)


def _reason(err: BaseException) -> str:
    """What went wrong reading an archive, in glassnet's terms: an entry holding Python objects
    is refused, since loading never unpickles."""
    if "pickle" in str(err).lower():
        return "it holds Python objects, which glassnet never loads (only plain arrays)"
    return str(err)


def load_weights(model: Model, filepath: str | Path) -> None:
    """Read weights written by ``save_weights`` into a built model of the same architecture."""
    if not model.built:
        raise ValueError(
            f"model {model.name!r} is not built yet: build it (give it an input shape, or call "
            "it once) before loading weights into it"
        )
    path = Path(filepath)
    if not path.exists():
        raise FileNotFoundError(f"no weights file at {str(path)!r}")
    try:
        with _open_archive(path) as archive:
            header = json.loads(archive[_HEADER].tobytes().decode("utf-8"))
            if header.get("format") not in (WEIGHTS_FORMAT, FORMAT):
                raise ValueError(f"its format is {header.get('format')!r}")
            count = sum(1 for name in archive.files if name.startswith("weights/"))
            arrays = [archive[f"weights/{i}"] for i in range(count)]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise ValueError(
            f"{str(path)!r} is not a readable glassnet weights file: {_reason(err)}"
        ) from None
    expected = [w.value.shape for w in model.weights]
    got = [a.shape for a in arrays]
    if got != expected:
        raise ValueError(
            f"{str(path)!r} holds {len(got)} weight arrays of shapes {got}, but model "
            f"{model.name!r} has {len(expected)} of shapes {expected}: it was saved from "
            "another architecture"
        )
    model.set_weights(arrays)


def model_to_json(model: Model) -> str:
    """The architecture as a JSON string (no weights), as Keras's ``to_json``."""
    return json.dumps(
        {
            **serialize_object(model, MODEL_CLASSES),
            "build_input_shape": _json_shape(model.build_input_shape) if model.built else None,
        }
    )


def model_from_json(text: str, custom_objects: dict[str, Any] | None = None) -> Model:
    """A new model (fresh weights) from ``to_json``'s string; classes of your own must be
    registered or given in ``custom_objects``."""
    with custom_object_scope(custom_objects):
        return _model_from_json(text)


def _model_from_json(text: str) -> Model:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not a model's JSON: {err}") from None
    if not isinstance(data, dict) or "class_name" not in data:
        raise ValueError("not a model's JSON: expected an object with 'class_name' and 'config'")
    model = deserialize_object(data, MODEL_CLASSES, "model")
    shape = data.get("build_input_shape")
    if not model.built and shape is not None:
        model.build([tuple(s) for s in shape] if isinstance(shape[0], list) else tuple(shape))
    return model


def _json_shape(shape: Any) -> Any:
    if shape is None:
        return None
    if isinstance(shape, list):
        return [_json_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def _serialize_loss(spec: Any) -> Any:
    if isinstance(spec, dict):
        return {k: _serialize_loss(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_serialize_loss(v) for v in spec]
    return None if spec is None else losses.serialize(losses.get(spec))


def _deserialize_loss(spec: Any) -> Any:
    if isinstance(spec, dict) and "name" not in spec:
        return {k: _deserialize_loss(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_deserialize_loss(v) for v in spec]
    return None if spec is None else losses.deserialize(spec)


def _string_metrics(spec: Any) -> Any:
    """The metrics given by name or as metric objects (a plain function cannot be written into
    a data file: it is left out)."""
    from glassnet import metrics as metrics_module

    if isinstance(spec, metrics_module.Metric):
        return metrics_module.serialize(spec)
    if isinstance(spec, dict):
        return {k: _string_metrics(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [
            _string_metrics(m)
            for m in spec
            if isinstance(m, (str, list, tuple, dict, metrics_module.Metric))
        ]
    return spec


def load_model(
    filepath: str | Path,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Model:
    """Read a model written by ``save_model``; a missing, truncated or foreign file is an error.

    ``custom_objects`` ({name: class}) names classes of your own that are not registered;
    ``compile=False`` leaves the model uncompiled. Loading never runs code from the file, so
    ``safe_mode`` (Keras's guard against unpickling lambdas) is always on.
    """
    with custom_object_scope(custom_objects):
        return _load_model(Path(filepath), compile)


def _load_model(path: Path, compile: bool) -> Model:
    if not path.exists():
        raise FileNotFoundError(f"no model file at {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a directory, not a glassnet model file")
    try:
        archive = _open_archive(path)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not a glassnet archive")
        with archive:
            if _HEADER not in archive.files:
                raise ValueError("it has no glassnet header")
            header = json.loads(archive[_HEADER].tobytes().decode("utf-8"))
            if not isinstance(header, dict):
                raise ValueError("its header is not a JSON object")
            if header.get("format") != FORMAT:
                raise ValueError(f"its format is {header.get('format')!r}, not {FORMAT!r}")
            if header.get("version") != VERSION:
                raise ValueError(
                    f"it was written in format version {header.get('version')}, this glassnet "
                    f"reads version {VERSION}"
                )
            contents = {name: archive[name] for name in archive.files if name != _HEADER}
        return _rebuild(header, contents, path, compile)
    except (FileNotFoundError, IsADirectoryError):
        raise
    except (
        ValueError,
        TypeError,
        OSError,
        EOFError,
        KeyError,
        AttributeError,
        IndexError,
        zipfile.BadZipFile,
        json.JSONDecodeError,
        UnicodeDecodeError,
    ) as err:
        reason = f"missing entry {err}" if isinstance(err, KeyError) else _reason(err)
        raise ValueError(
            f"{str(path)!r} is not a readable glassnet model file: {reason} (it may be "
            "truncated, corrupted, or written by another program)"
        ) from None


def _rebuild(
    header: dict[str, Any], contents: dict[str, np.ndarray], path: Path, compile: bool = True
) -> Model:
    with config.floatx_scope(header["floatx"]):
        model = deserialize_object(header["model"], MODEL_CLASSES, "model")
        if not isinstance(model, Model):
            raise ValueError(f"its model entry is a {type(model).__name__}, not a model")
        shape = header.get("build_input_shape")
        if not model.built and shape is not None:
            model.build([tuple(s) for s in shape] if isinstance(shape[0], list) else tuple(shape))
    n_weights = len(model.weights)
    try:
        model.set_weights([contents[f"weights/{i}"] for i in range(n_weights)])
    except KeyError:
        raise ValueError(f"{str(path)!r} is missing weight arrays; the file is damaged") from None
    if header.get("rng_state") is not None:
        model.shuffle_rng = np.random.default_rng()
        model.shuffle_rng.bit_generator.state = header["rng_state"]
    if header.get("csv_info") is not None:
        model.csv_info = header["csv_info"]
    states = header.get("dropout_rng_states", {})
    for layer in _random_layers(model):
        if layer.name in states:
            layer.rng = np.random.default_rng()
            layer.rng.bit_generator.state = states[layer.name]
    compiled = header.get("compile")
    if compiled and compile:
        model.compile(
            optimizer=optimizers.deserialize(compiled["optimizer"]),
            loss=_deserialize_loss(compiled["loss"]),
            metrics=compiled["metrics"],
            loss_weights=compiled.get("loss_weights"),
            weighted_metrics=compiled.get("weighted_metrics"),
        )
        assert model.optimizer is not None
        slots = {
            name: [contents[f"optimizer/{name}/{i}"] for i in range(count)]
            for name, count in compiled["optimizer_slots"].items()
        }
        model.optimizer.set_state(compiled["optimizer_iterations"], slots)
    return model


def _known_classes() -> dict[str, type]:
    """Every glassnet class a config can name: layers, models, losses, metrics, optimizers,
    schedules, initializers, regularizers, constraints, activations."""
    from glassnet import activations, constraints, initializers, metrics, regularizers
    from glassnet.optimizers import schedules

    modules = [activations, constraints, initializers, regularizers, schedules, optimizers]
    modules += [metrics, losses, layers]  # later modules win a shared name (a loss's metric)
    table: dict[str, type] = {}
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, type) and name[0].isupper() and hasattr(value, "get_config"):
                table[name] = value
    table.update(MODEL_CLASSES)
    return table


def serialize_keras_object(obj: Any) -> Any:
    """An object as plain data, in Keras's shape: ``{"module", "class_name", "config",
    "registered_name"}`` (a string, number or None is returned as is)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(item) for item in obj]
    cls = type(obj)
    registered = get_registered_name(cls)
    return {
        "module": cls.__module__,
        "class_name": cls.__name__,
        "config": obj.get_config(),
        "registered_name": registered,
    }


def deserialize_keras_object(
    config: Any, custom_objects: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """The object ``serialize_keras_object`` described: a glassnet class, or one of your own
    (registered, or given in ``custom_objects``). Strings and numbers are returned as is."""
    if isinstance(config, list):
        return [deserialize_keras_object(item, custom_objects) for item in config]
    if not isinstance(config, dict) or "class_name" not in config:
        return config
    with custom_object_scope(custom_objects):
        names = [str(config.get("registered_name") or ""), str(config["class_name"])]
        cls = next((c for c in map(get_registered_object, names) if c is not None), None)
        cls = cls or _known_classes().get(str(config["class_name"]))
        if cls is None:
            raise ValueError(
                f"cannot deserialize class {config['class_name']!r}: it is not a glassnet "
                "class, and not registered or given in custom_objects"
            )
        cfg = config.get("config", {})
        from_config = getattr(cls, "from_config", None)
        return from_config(cfg) if from_config is not None else cls(**cfg)


__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "model_from_json",
    "model_to_json",
    "register_keras_serializable",
    "register_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
