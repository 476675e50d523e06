"""Callbacks that write the model to disk: ModelCheckpoint (keep models or weights as training
goes) and BackupAndRestore (resume an interrupted fit where it stopped)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.callbacks.callback import Callback, Logs
from glassnet.callbacks.monitor_callback import MonitorCallback, check_real


def _check_save_freq(owner: str, save_freq: Any) -> str | int:
    """``"epoch"`` or a whole number of batches ≥ 1."""
    if save_freq == "epoch" and isinstance(save_freq, str):
        return "epoch"
    if isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1:
        raise ValueError(
            f"{owner} save_freq must be 'epoch' or a whole number of batches >= 1, "
            f"got {save_freq!r}"
        )
    return save_freq


class _BatchCounter:
    """Counts the batches seen since the last save, as Keras does (a batch index that does not
    grow means a new epoch began)."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.since_last = 0
        self.last_batch: int | None = None

    def due(self, batch: int) -> bool:
        if self.last_batch is None or batch <= self.last_batch:
            added = batch + 1  # a new epoch: batches count from 0
        else:
            added = batch - self.last_batch
        self.since_last += added
        self.last_batch = batch
        if self.since_last >= self.every:
            self.since_last = 0
            return True
        return False


def _add_batch_hook(callback: ModelCheckpoint | BackupAndRestore) -> None:
    """Give the callback its batch hook only when it saves every n batches: ``fit`` skips
    the batch logs of callbacks that have none. A subclass's own hook is left in place."""
    if type(callback).on_train_batch_end is Callback.on_train_batch_end:
        callback.on_train_batch_end = callback._save_on_batch  # type: ignore[method-assign]


class ModelCheckpoint(MonitorCallback):
    """Save the model (or only its weights) after every epoch, every ``save_freq`` batches, or
    only when the monitored value improves.

    ``filepath`` may hold format fields filled from the logs, e.g.
    ``"ckpt/model-{epoch:02d}-{val_loss:.2f}.glassnet"`` (epoch counts from 1, as in Keras;
    with an integer ``save_freq`` ``{batch}`` is the batch, counted from 1, and the values are
    the running means of the epoch so far). A missing folder is created.

    ``save_best_only``: save only when the monitored value improves on the best so far (see
    MonitorCallback; ``initial_value_threshold`` is the best to beat at first, and the best
    carries over to later ``fit`` calls, as in Keras). ``save_weights_only``: write with
    ``model.save_weights`` (load with ``model.load_weights``) instead of ``model.save`` (load
    with ``glassnet.models.load_model``).

    Where glassnet differs from Keras: its files are glassnet's own ``.npz`` archives, so
    ``filepath`` may end as you like (Keras demands ``.keras`` for a model and ``.weights.h5``
    for weights); ``save_freq`` must be at least 1; a monitored key the logs do not have, or a
    format field they lack, is an error (Keras warns and saves anyway, or raises KeyError).

    >>> checkpoint = ModelCheckpoint("best.glassnet", monitor="val_accuracy", save_best_only=True)
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(
            monitor,
            mode,
            check_real(
                "ModelCheckpoint", "initial_value_threshold", initial_value_threshold, optional=True
            ),
        )
        if not isinstance(filepath, (str, os.PathLike)) or not os.fspath(filepath):
            raise TypeError(
                "ModelCheckpoint filepath must be a path such as 'model-{epoch:02d}.glassnet', "
                f"got {filepath!r}"
            )
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.save_freq = _check_save_freq("ModelCheckpoint", save_freq)
        self._current_epoch = 0
        self._counter: _BatchCounter | None = None
        if isinstance(self.save_freq, int):
            self._counter = _BatchCounter(self.save_freq)
            _add_batch_hook(self)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _save_on_batch(self, batch: int, logs: Logs | None = None) -> None:
        assert self._counter is not None
        if self._counter.due(batch):
            self._save_model(self._current_epoch, batch, logs)

    def _should_save(self, epoch: int, logs: Logs, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = self._monitored(logs)
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: Logs | None) -> None:
        model = self._require_model()
        logs = logs or {}
        filepath = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        Path(filepath).parent.mkdir(parents=True, exist_ok=True)
        try:
            if self.save_weights_only:
                model.save_weights(filepath)
            else:
                model.save(filepath)
        except IsADirectoryError:
            raise IsADirectoryError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}"
            ) from None
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        fields: dict[str, Any] = dict(logs)
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(
                epoch=epoch + 1, **{k: v for k, v in fields.items() if k != "epoch"}
            )
        except KeyError as err:
            raise ValueError(
                f"ModelCheckpoint cannot fill the filepath {self.filepath!r}: the logs have no "
                f"{err}; available: epoch, {', '.join(fields)}"
            ) from None
        except (ValueError, IndexError) as err:
            raise ValueError(
                f"ModelCheckpoint cannot fill the filepath {self.filepath!r}: {err} (use named "
                "fields such as {epoch:02d} or {val_loss:.2f})"
            ) from None


class BackupAndRestore(Callback):
    """Back up the training state so that an interrupted ``fit`` resumes where it stopped.

    At the end of every epoch (or every ``save_freq`` batches) the model is saved to
    ``backup_dir/latest.glassnet`` — the glassnet model file: weights, optimizer state
    (its iterations, slots and learning rate) and the random state of shuffling and dropout —
    with the number of finished epochs in ``backup_dir/training_metadata.json``. When ``fit``
    starts again with the callback, it restores all of that into the model and training goes
    on from the first unfinished epoch, so that a run resumed after an epoch's backup ends
    exactly as the run that was never interrupted. A backup taken mid-epoch (integer
    ``save_freq``) holds that batch's weights, but the epoch is run again from its start, as
    in Keras.

    ``double_checkpoint``: keep the previous backup as well (``*.bkp``) and fall back to it if
    the latest cannot be read. ``delete_checkpoint``: remove the backup when training ends.

    Where glassnet differs: Keras removes the whole ``backup_dir`` at the end; glassnet removes
    the files it wrote and then the folder if it is empty, so a mistaken ``backup_dir`` never
    costs other files. The model must be the one that was backed up (same architecture and
    optimizer class).

    >>> backup = BackupAndRestore("backup")
    >>> # model.fit(x, y, epochs=10, callbacks=[backup])   # interrupted at epoch 4, run again:
    >>> # model.fit(x, y, epochs=10, callbacks=[backup])   # trains epochs 4 to 9
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike[str],
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if not isinstance(backup_dir, (str, os.PathLike)):
            raise TypeError(
                f"BackupAndRestore backup_dir must be a folder path, got {backup_dir!r}"
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = _check_save_freq("BackupAndRestore", save_freq)
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._current_epoch = 0
        self._last_batch_seen = 0
        folder = Path(self.backup_dir)
        self._model_path = folder / "latest.glassnet"
        self._metadata_path = folder / "training_metadata.json"
        self._prev_model_path = folder / "latest.glassnet.bkp"
        self._prev_metadata_path = folder / "training_metadata.json.bkp"
        self._counter: _BatchCounter | None = None
        if isinstance(self.save_freq, int):
            self._counter = _BatchCounter(self.save_freq)
            _add_batch_hook(self)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        try:
            self._load_model()
        except (OSError, ValueError):
            # the latest backup is unreadable: fall back to the previous one, if kept
            if not self._prev_model_path.exists():
                raise
            shutil.copyfile(self._prev_model_path, self._model_path)
            if self._prev_metadata_path.exists():
                shutil.copyfile(self._prev_metadata_path, self._metadata_path)
            elif self._metadata_path.exists():
                self._metadata_path.unlink()
            self._load_model()

    def _load_model(self) -> None:
        """Restore weights, optimizer state and random state, and the epoch to resume from."""
        from glassnet.saving import load_model

        model = self._require_model()
        if not model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, the model must be built before fit(): "
                f"model {model.name!r} is not; give its first layer an input_shape"
            )
        if self._model_path.exists():
            saved = load_model(self._model_path)
            model.set_weights(saved.get_weights())
            if model.optimizer is not None and saved.optimizer is not None:
                if type(saved.optimizer) is not type(model.optimizer):
                    raise ValueError(
                        f"the backup in {self.backup_dir!r} was made with a "
                        f"{type(saved.optimizer).__name__} optimizer, but model "
                        f"{model.name!r} is compiled with {type(model.optimizer).__name__}; "
                        "use another backup_dir for a new run"
                    )
                model.optimizer.set_state(*saved.optimizer.get_state())
                model.optimizer.learning_rate = float(saved.optimizer.learning_rate)
            if saved.shuffle_rng is not None:
                model.shuffle_rng = saved.shuffle_rng
            # the random layers (dropout, noise) go on drawing where they were
            pairs = zip(model.iter_layers(), saved.iter_layers(), strict=True)
            for layer, saved_layer in pairs:
                if isinstance(getattr(saved_layer, "rng", None), np.random.Generator):
                    layer.rng = saved_layer.rng  # type: ignore[attr-defined]
        if self._metadata_path.exists():
            metadata = json.loads(self._metadata_path.read_text(encoding="utf-8"))
            model._initial_epoch = int(metadata["epoch"])

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def _save_on_batch(self, batch: int, logs: Logs | None = None) -> None:
        assert self._counter is not None
        due = self._counter.due(batch)
        self._last_batch_seen = batch
        if due:
            self._save_model()

    def _save_model(self) -> None:
        model = self._require_model()
        Path(self.backup_dir).mkdir(parents=True, exist_ok=True)
        if self.double_checkpoint:
            if self._model_path.exists():
                shutil.copyfile(self._model_path, self._prev_model_path)
            if self._metadata_path.exists():
                shutil.copyfile(self._metadata_path, self._prev_metadata_path)
        model.save(self._model_path)
        metadata = {"epoch": self._current_epoch, "batch": self._last_batch_seen}
        _write_text(self._metadata_path, json.dumps(metadata))

    def on_train_end(self, logs: Logs | None = None) -> None:
        if not self.delete_checkpoint:
            return
        for path in (
            self._model_path,
            self._metadata_path,
            self._prev_model_path,
            self._prev_metadata_path,
        ):
            path.unlink(missing_ok=True)
        folder = Path(self.backup_dir)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _write_text(path: Path, text: str) -> None:
    """Write a small text file atomically (a temporary file, then a rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
