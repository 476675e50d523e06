"""One playground session: its data, its network (and the compared one), training epoch by
epoch, and what the page is sent (state, heat maps, explain, export).

`Session` is synchronous and does one thing at a time: ``handle(message)`` applies a checked
client message and returns what to send back; ``train_epoch()`` trains one epoch. Every number
comes from glassnet's public API: ``Sequential(..., seed=seed)`` builds the network (its own
generator draws the weights and the shuffles), ``fit`` trains one epoch at a time
(``epochs=e + 1, initial_epoch=e``), ``evaluate`` gives the losses, a functional ``Model``
sharing the layers gives every layer's output over the plane for the heat maps,
``train_step(..., apply=False)`` the gradient norms, and ``explain`` the walk through the next
step. `SessionWorker` runs a session in a thread of its own, off the server's event loop.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix

from glassnet.datasets import playground as data
from glassnet.monitors import saturated_fraction
from glassnet.playground import protocol
from glassnet.playground.network import (
    COMPARE_NAME,
    MAIN_NAME,
    SATURATED_SHARE,
    SATURATION_MARGIN,
    Network,
    NetworkSpec,
    Series,
    fit_targets,
    mute_divergence_warnings,
    set_regularization_rate,
)
from glassnet.playground.protocol import ProtocolError

log = logging.getLogger("glassnet.playground")

UNSPLIT_NOTE = "test = training samples (the paper has no test set)"


# -- snapshots: what one state message and its frames carry ----------------------------------
class HistoryCursor:
    """Which part of each loss series a connection has already received."""

    def __init__(self) -> None:
        self.sent: dict[str, tuple[int, int]] = {}  # key → (Series.ident, points sent)

    def start(self, key: str, series: Series, length: int) -> int:
        ident, sent = self.sent.get(key, (0, 0))
        begin = sent if ident == series.ident and sent <= length else 0
        self.sent[key] = (series.ident, length)
        return begin


@dataclass
class Snapshot:
    """A state message (loss curves left out) and its heat-map frames, taken between epochs."""

    state: dict[str, Any]
    frames: list[bytes]
    series: Series
    length: int
    compare_series: Series | None = None
    compare_length: int = 0

    def message(self, cursor: HistoryCursor | None = None) -> dict[str, Any]:
        """The state message; with a cursor, only the series' new tail (``history_from``)."""
        out = dict(self.state)
        start = cursor.start("main", self.series, self.length) if cursor else 0
        out["history"] = self.series.json(start, self.length)
        out["history_from"] = start
        if self.compare_series is not None and out.get("compare") is not None:
            compare = dict(out["compare"])
            cstart = (
                cursor.start("compare", self.compare_series, self.compare_length) if cursor else 0
            )
            compare["history"] = self.compare_series.json(cstart, self.compare_length)
            compare["history_from"] = cstart
            out["compare"] = compare
        return out


def grid_points(resolution: int = protocol.RESOLUTION) -> np.ndarray:
    """The centres of an R×R grid over [-6, 6]², row-major, row 0 at the top (x₂ = +6)."""
    step = 2 * data.DOMAIN / resolution
    centres = -data.DOMAIN + (np.arange(resolution) + 0.5) * step
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


# -- the session ---------------------------------------------------------------------------------
@dataclass
class RunRecord:
    """What export needs to replay the current run: the config it started from, its data
    (generated, or the literal arrays), and every live change with the epoch it happened at."""

    config: dict[str, Any]
    task: str
    classes: int | None
    generated: bool
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    events: list[tuple[Any, ...]] = field(default_factory=list)


class Session:
    """One page's playground: data, network(s), training and replies (see the module doc)."""

    def __init__(self, config: dict[str, Any] | None = None, stop: threading.Event | None = None):
        mute_divergence_warnings()
        self.stop = stop or threading.Event()
        self.config: dict[str, Any] = copy.deepcopy(config or protocol.DEFAULT_CONFIG)
        self.custom: protocol.CsvData | None = None
        self.status = "paused"
        self.epoch = 0
        self.grid = grid_points()
        self._data_sent = False
        self._load_data()
        self._new_run()

    # -- data ------------------------------------------------------------------------------
    def _load_data(self) -> None:
        c = self.config
        if c["dataset"] == "custom":
            assert self.custom is not None
            x, y = self.custom.x, self.custom.y
            self.task, self.classes = self.custom.task, self.custom.classes
        else:
            x, y = data.load(
                c["dataset"],
                n=c["n_points"],
                noise=c["noise"],
                seed=c["data_seed"],
                classes=c["classes"],
            )
            self.task = protocol.task_of(c["dataset"])
            self.classes = c["classes"] if self.task == "classification" else None
        if c["dataset"] in data.UNSPLIT:
            (self.x_train, self.y_train), (self.x_test, self.y_test) = (x, y), (x.copy(), y.copy())
        else:
            (self.x_train, self.y_train), (self.x_test, self.y_test) = data.split(
                x, y, train_ratio=c["train_ratio"], seed=c["data_seed"]
            )
        self.modified = False
        self._features()

    def _features(self) -> None:
        names = self.config["features"]
        self.f_train = data.features(self.x_train, names)
        self.f_test = data.features(self.x_test, names)
        self.f_grid = data.features(self.grid, names)

    def data_message(self) -> dict[str, Any]:
        """The data message; ``note`` says what the page should know about the data (null
        for most sets)."""
        unsplit = self.config["dataset"] in data.UNSPLIT
        return {
            "type": "data",
            "train": {"x": self.x_train.tolist(), "y": self.y_train.tolist()},
            "test": {"x": self.x_test.tolist(), "y": self.y_test.tolist()},
            "task": self.task,
            "classes": self.classes,
            "domain": [-data.DOMAIN, data.DOMAIN],
            "note": UNSPLIT_NOTE if unsplit else None,
        }

    # -- networks ----------------------------------------------------------------------------
    def _spec(self, config: dict[str, Any]) -> NetworkSpec:
        output = protocol.resolve_output(config["output"], self.task, self.classes or 2)
        return NetworkSpec(
            n_features=len(config["features"]),
            layers=tuple(config["layers"]),
            activations=tuple(config["activations"]),
            output=output,
            outputs=(self.classes or 2) if output == "softmax" else 1,
            loss=protocol.resolve_loss(config["loss"], output),
            initializer=config["initializer"],
            optimizer=config["optimizer"],
            learning_rate=float(config["learning_rate"]),
            regularization=config["regularization"],
            regularization_rate=float(config["regularization_rate"]),
            seed=int(config["seed"]),
        )

    def _compare_config(self) -> tuple[dict[str, Any], str] | None:
        compare = self.config["compare"]
        if compare is None:
            return None
        key, value = compare["key"], compare["value"]
        other = copy.deepcopy(self.config)
        if key == "activation":
            other["activations"] = [value] * len(other["layers"])
            label = str(value)
        elif key == "learning_rate":
            other["learning_rate"] = value
            label = f"learning rate {value:g}"
        elif key == "optimizer":
            other["optimizer"] = value
            label = str(value)
        else:
            acts = list(other["activations"]) or ["tanh"]
            other["layers"] = list(value)
            other["activations"] = [acts[min(i, len(acts) - 1)] for i in range(len(value))]
            label = "layers " + (",".join(map(str, value)) or "none")
        return other, label

    def _new_run(self) -> None:
        """Fresh networks from the seed, epoch 0, paused; the run record starts again."""
        self.main = Network(self._spec(self.config), MAIN_NAME, self.stop)
        compare = self._compare_config()
        self.compare = (
            Network(self._spec(compare[0]), COMPARE_NAME, self.stop, compare[1])
            if compare
            else None
        )
        self.epoch = 0
        self.status = "paused"
        self.record = RunRecord(
            copy.deepcopy(self.config),
            self.task,
            self.classes,
            generated=self.config["dataset"] != "custom" and not self.modified,
            x_train=self.x_train.copy(),
            y_train=self.y_train.copy(),
            x_test=self.x_test.copy(),
            y_test=self.y_test.copy(),
        )

    def networks(self) -> list[Network]:
        return [self.main] if self.compare is None else [self.main, self.compare]

    # -- training ------------------------------------------------------------------------------
    def train_epoch(self) -> None:
        """One epoch for every network still training (lockstep), then the loss curves."""
        if self.main.diverged:
            return
        size = int(self.config["batch_size"])
        for net in self.networks():
            if net.diverged:
                continue
            y = fit_targets(self.y_train, net.spec.output)
            net.train_epoch(self.epoch, self.f_train, y, size)
            if self.stop.is_set():
                return
            if not net.diverged:
                net.record(
                    self.epoch + 1,
                    (self.f_train, y),
                    (self.f_test, fit_targets(self.y_test, net.spec.output)),
                )
        if self.main.diverged:
            self.status = "diverged"
        else:
            self.epoch += 1

    # -- messages ------------------------------------------------------------------------------
    def handle(self, message: dict[str, Any]) -> list[Any]:
        """Apply one checked client message; returns the replies (dicts and Snapshots).
        A message the session cannot honour raises `ProtocolError`."""
        kind = message["type"]
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            raise ProtocolError(f"message type {kind!r} is not handled by the session")
        result: list[Any] = handler(message)
        return result

    def _on_config(self, message: dict[str, Any]) -> list[Any]:
        new = message["config"]
        if new["dataset"] == "custom":
            if self.custom is None:
                raise ProtocolError("dataset 'custom' needs data: upload a CSV file first")
            new = {**new, "classes": self.custom.classes or 2}
            output = protocol.resolve_output(
                new["output"], self.custom.task, self.custom.classes or 2
            )
            protocol.resolve_loss(new["loss"], output)
        data_changed = any(new[k] != self.config[k] for k in protocol.DATA_KEYS)
        old = self.config
        self.config = new
        try:
            if data_changed:
                self._load_data()
            elif new["features"] != old["features"]:
                self._features()
            self._new_run()
        except Exception:
            self.config = old
            raise
        out: list[Any] = []
        if data_changed or not self._data_sent:
            out.append(self.data_message())
            self._data_sent = True
        return [*out, self.snapshot()]

    def _check_trainable(self) -> None:
        if self.main.diverged:
            raise ProtocolError(
                "training diverged: reset, or change the configuration (a smaller learning "
                "rate), to train again",
                code="diverged",
            )

    def _on_play(self, message: dict[str, Any]) -> list[Any]:
        self._check_trainable()
        self.status = "playing"
        return [self.snapshot()]

    def _on_pause(self, message: dict[str, Any]) -> list[Any]:
        if self.status == "playing":
            self.status = "paused"
        return [self.snapshot()]

    def _on_step(self, message: dict[str, Any]) -> list[Any]:
        self._check_trainable()
        self.status = "paused"
        self.train_epoch()
        return [self.snapshot()]

    def _on_reset(self, message: dict[str, Any]) -> list[Any]:
        self._new_run()
        return [self.snapshot()]

    def _on_regenerate(self, message: dict[str, Any]) -> list[Any]:
        self.config["data_seed"] = (self.config["data_seed"] + 1) % (protocol.MAX_SEED + 1)
        self._load_data()
        self._new_run()
        self._data_sent = True
        return [self.data_message(), self.snapshot()]

    def _on_set(self, message: dict[str, Any]) -> list[Any]:
        key, value = message["key"], message["value"]
        self.config[key] = value
        compare = self.config["compare"]
        for net in self.networks():
            if net is self.compare and compare is not None and compare["key"] == key:
                continue
            if key == "learning_rate":
                net.model.optimizer.learning_rate = value  # type: ignore[union-attr]
            elif key == "regularization_rate":
                set_regularization_rate(net.model, value)
        self.record.events.append((self.epoch, key, value))
        return [self.snapshot()]

    def _on_set_weight(self, message: dict[str, Any]) -> list[Any]:
        layer, value = message["layer"], message["value"]
        count = len(self.main.dense)
        if layer >= count:
            raise ProtocolError(
                f"set_weight.layer {layer} is out of range: the network has {count} Dense "
                f"layers (0 to {count - 1})"
            )
        weights = self.main.model.get_weights()
        kernel = weights[2 * layer]
        if "bias" in message:
            j = message["bias"]
            if j >= kernel.shape[1]:
                raise ProtocolError(
                    f"set_weight.bias {j} is out of range: layer {layer} has {kernel.shape[1]} "
                    "units"
                )
            weights[2 * layer + 1][j] = value
            self.record.events.append((self.epoch, "bias", layer, j, value))
        else:
            i, j = message["row"], message["col"]
            if i >= kernel.shape[0] or j >= kernel.shape[1]:
                raise ProtocolError(
                    f"set_weight row {i}, col {j} is out of range: layer {layer}'s kernel is "
                    f"{kernel.shape[0]}×{kernel.shape[1]} (inputs × units)"
                )
            kernel[i, j] = value
            self.record.events.append((self.epoch, "weight", layer, i, j, value))
        self.main.model.set_weights(weights)
        return [self.snapshot()]

    def _on_add_point(self, message: dict[str, Any]) -> list[Any]:
        if self.config["dataset"] in data.UNSPLIT:
            raise ProtocolError(
                f"the {self.config['dataset']} data set is its samples and nothing else (they are "
                "the test set too); upload a CSV or choose another data set to add points"
            )
        total = len(self.x_train) + len(self.x_test)
        if total >= protocol.MAX_POINTS:
            raise ProtocolError(
                f"the data set already has {total} points, the most the playground takes "
                f"({protocol.MAX_POINTS}); regenerate or lower n_points to add more",
                code="limit",
            )
        label: Any = message["label"]
        if self.task == "classification":
            k = self.classes or 2
            if label != int(label) or not 0 <= label < k:
                raise ProtocolError(
                    f"add_point.label must be a class index 0 to {k - 1}, got {label!r}"
                )
            label = int(label)
        x1, x2 = message["x"]
        self.x_train = np.vstack([self.x_train, [[x1, x2]]])
        self.y_train = np.append(self.y_train, label)
        self.modified = True
        self._features()
        self.record.events.append((self.epoch, "point", x1, x2, label))
        self._data_sent = True
        return [self.data_message(), self.snapshot()]

    def _on_upload_csv(self, message: dict[str, Any]) -> list[Any]:
        parsed = protocol.parse_csv(message["text"])
        old_custom, old_config = self.custom, self.config
        self.custom = parsed
        config = copy.deepcopy(self.config)
        config["dataset"] = "custom"
        config["classes"] = parsed.classes or 2
        try:
            protocol.resolve_output(config["output"], parsed.task, parsed.classes or 2)
        except ProtocolError:
            config["output"] = "auto"
        output = protocol.resolve_output(config["output"], parsed.task, parsed.classes or 2)
        try:
            protocol.resolve_loss(config["loss"], output)
        except ProtocolError:
            config["loss"] = "auto"
        self.config = config
        try:
            self._load_data()
            self._new_run()
        except Exception:
            self.custom, self.config = old_custom, old_config
            raise
        self._data_sent = True
        return [self.data_message(), self.snapshot()]

    def _on_explain(self, message: dict[str, Any]) -> list[Any]:
        return [self.explain()]

    def _on_export(self, message: dict[str, Any]) -> list[Any]:
        from glassnet.playground.export import script

        return [{"type": "export", "code": script(self)}]

    def _on_ping(self, message: dict[str, Any]) -> list[Any]:
        return [{"type": "pong"}]

    # -- explain ---------------------------------------------------------------------------------
    def next_batch(self) -> np.ndarray:
        """Indices (into the training set) of the first batch of the next epoch: the next
        permutation of the model's shuffle generator, drawn from a copy of it."""
        model = self.main.model
        source = model.shuffle_rng if model.shuffle_rng is not None else model.seed_generator
        assert source is not None
        order = copy.deepcopy(source).permutation(len(self.f_train))
        return order[: min(int(self.config["batch_size"]), len(order))]

    def explain(self) -> dict[str, Any]:
        """``model.explain`` of the next training batch, as the explain message."""
        index = self.next_batch()
        y = fit_targets(self.y_train, self.main.spec.output)
        with np.errstate(all="ignore"):
            ex = self.main.model.explain(self.f_train[index], y[index])
        steps = [
            {
                "key": s.key,
                "symbol": s.symbol,
                "formula": s.formula,
                "phase": s.phase,
                "note": s.note,
                "shape": list(np.shape(s.value)),
                "value": _corner(s.value),
            }
            for s in ex.steps
        ]
        return {
            "type": "explain",
            "epoch": self.epoch,
            "batch": [0, len(index)],
            "steps": steps,
            "targets": [
                {"symbol": symbol, "shape": list(np.shape(value)), "value": _corner(value)}
                for symbol, value in ex.targets
            ],
            "loss_before": protocol.finite(ex.loss_before),
            "loss_after": protocol.finite(ex.loss_after),
        }

    # -- state -----------------------------------------------------------------------------------
    def _inspect(self, net: Network) -> tuple[dict[str, Any], np.ndarray]:
        """One network's numbers for the state message, and its heat maps (N, R, R)."""
        output = net.spec.output
        y_train = fit_targets(self.y_train, output)
        y_test = fit_targets(self.y_test, output)
        train_loss = net.losses(self.f_train, y_train)
        test_loss = net.losses(self.f_test, y_test)
        on_train = net.outputs(self.f_train)
        on_test = net.outputs(self.f_test)[-1]
        on_grid = net.outputs(self.f_grid)
        state: dict[str, Any] = {
            "train_loss": protocol.finite(train_loss),
            "test_loss": protocol.finite(test_loss),
            # what the losses are: the function "auto" resolved to, and whether the L1/L2
            # penalty on the kernels is part of them (it is, as in evaluate)
            "loss_name": net.spec.loss,
            "penalty": net.spec.regularization if net.spec.regularization != "none" else None,
            "train_accuracy": None,
            "test_accuracy": None,
            "confusion": None,
            "weights": [
                {
                    "kernel": protocol.array_json(layer.kernel.value),
                    "bias": protocol.array_json(layer.bias.value),
                }
                for layer in net.dense
            ],
            "grad_norms": protocol.finite(net.grad_norms(self.f_train, y_train)),
            "dead": [],
            "saturated": [],
        }
        if self.task == "classification":
            k = self.classes or 2
            predicted_train = _classes(on_train[-1], output)
            predicted_test = _classes(on_test, output)
            truth_train, truth_test = self.y_train.astype(np.int64), self.y_test.astype(np.int64)
            state["train_accuracy"] = float(accuracy_score(truth_train, predicted_train))
            state["test_accuracy"] = float(accuracy_score(truth_test, predicted_test))
            confusion = confusion_matrix(truth_test, predicted_test, labels=np.arange(k))
            state["confusion"] = confusion.tolist()
        for i, (layer, a) in enumerate(zip(net.dense[:-1], on_train[:-1], strict=True)):
            name = layer.activation.name
            for j in range(a.shape[1]):
                if name == "relu" and not (a[:, j] != 0).any():
                    state["dead"].append([i, j])
                if name in ("sigmoid", "tanh"):
                    share = saturated_fraction(layer.activation, a[:, j], SATURATION_MARGIN)
                    if share is not None and share >= SATURATED_SHARE:
                        state["saturated"].append([i, j])
        r = protocol.RESOLUTION
        maps = [self.f_grid.T.reshape(-1, r, r)]
        maps += [a.T.reshape(-1, r, r) for a in on_grid]
        return state, np.concatenate(maps)

    def snapshot(self) -> Snapshot:
        """The state message and heat-map frame(s) of this moment."""
        main, maps = self._inspect(self.main)
        state: dict[str, Any] = {
            "type": "state",
            "epoch": self.epoch,
            "status": self.status,
            "config": copy.deepcopy(self.config),
            **main,
            "message": self.main.message,
            "compare": None,
        }
        frames = [protocol.encode_frame(maps, self.epoch)]
        compare = self.compare
        if compare is not None:
            numbers, compare_maps = self._inspect(compare)
            state["compare"] = {
                "label": compare.label,
                "status": "diverged" if compare.diverged else self.status,
                "message": compare.message,
                **numbers,
            }
            frames.append(protocol.encode_frame(compare_maps, self.epoch, compare=True))
        return Snapshot(
            state,
            frames,
            self.main.series,
            len(self.main.series),
            compare.series if compare else None,
            len(compare.series) if compare else 0,
        )

    def state(self) -> dict[str, Any]:
        """The full state message (whole loss curves)."""
        return self.snapshot().message()


# The corner of each matrix the page shows (its shape is sent whole): a batch of 2,000 rows
# would otherwise be megabytes of JSON for numbers nobody sees.
EXPLAIN_ROWS, EXPLAIN_COLS = 12, 10


def _corner(value: Any) -> Any:
    """The top-left EXPLAIN_ROWS × EXPLAIN_COLS of a matrix (the first entries of a vector)."""
    a = np.asarray(value)
    if a.ndim == 1:
        a = a[: max(EXPLAIN_ROWS, EXPLAIN_COLS)]
    elif a.ndim >= 2:
        a = a[:EXPLAIN_ROWS, :EXPLAIN_COLS]
    return protocol.array_json(a)


def _classes(output: np.ndarray, activation: str) -> np.ndarray:
    """Predicted class per row: the largest probability (softmax), else output > 0.5."""
    if activation == "softmax":
        return np.argmax(output, axis=1)
    return (output[:, 0] > 0.5).astype(np.int64)


# -- the session's thread ----------------------------------------------------------------------
class SessionWorker:
    """Runs a `Session` in a thread: messages in through a queue, replies out through ``emit``
    (called from the thread). While playing, it trains epoch after epoch and takes a snapshot
    whenever ``want_snapshot`` is set (the sender sets it after sending one), so that the
    server holds at most the latest state and computes no more snapshots than it sends."""

    def __init__(
        self,
        emit: Callable[[Any], None],
        session: Session | None = None,
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        self.on_exit = on_exit  # called by the thread as it ends
        self.stop = threading.Event()
        self.session = session or Session(stop=self.stop)
        self.session.stop = self.stop
        for net in self.session.networks():
            net.watch.stop = self.stop
        self.emit = emit
        self.want_snapshot = threading.Event()
        self.want_snapshot.set()
        self.commands: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.thread = threading.Thread(
            target=self._run, name="glassnet-playground-session", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def submit(self, message: dict[str, Any]) -> None:
        self.commands.put(message)

    def close(self) -> None:
        """Ask the thread to stop (within the current batch) and let it end."""
        self.stop.set()
        self.commands.put(None)

    def join(self, timeout: float | None = None) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            if self.on_exit is not None:
                self.on_exit()

    def _loop(self) -> None:
        session = self.session
        while not self.stop.is_set():
            if session.status == "playing":
                try:
                    message = self.commands.get_nowait()
                except queue.Empty:
                    self._play_one()
                    continue
            else:
                message = self.commands.get()
            if message is None or self.stop.is_set():
                break
            self._handle(message)

    def _play_one(self) -> None:
        session = self.session
        try:
            session.train_epoch()
            # let the event loop's thread take the GIL between epochs: it relays the frames
            time.sleep(0)
            if self.stop.is_set():
                return
            if session.status != "playing":
                self.emit(session.snapshot())
            elif self.want_snapshot.is_set():
                self.want_snapshot.clear()
                self.emit(session.snapshot())
        except Exception as exc:  # a bug must not end the session silently
            log.exception("playground training failed")
            session.status = "paused"
            self.emit({"type": "error", "code": "internal", "message": f"training failed: {exc}"})
            with contextlib.suppress(Exception):  # the page learns it is paused
                self.emit(session.snapshot())

    def _handle(self, message: dict[str, Any]) -> None:
        try:
            replies = self.session.handle(message)
        except ProtocolError as exc:
            replies = [{"type": "error", "code": exc.code, "message": str(exc)}]
        except Exception as exc:
            log.exception("playground message %s failed", message.get("type"))
            replies = [
                {"type": "error", "code": "internal", "message": f"{message['type']} failed: {exc}"}
            ]
        for reply in replies:
            self.emit(reply)
