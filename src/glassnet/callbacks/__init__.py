"""Callbacks: code that runs at fixed points of ``fit``, ``evaluate`` and ``predict``.

As in Keras 3: ``History`` records the per-epoch logs and ``ProgressBar`` shows progress;
``EarlyStopping``, ``ReduceLROnPlateau`` and ``ModelCheckpoint`` watch a monitored log key;
``LearningRateScheduler`` sets the learning rate per epoch; ``CSVLogger`` writes the logs to a
CSV file; ``BackupAndRestore`` lets an interrupted ``fit`` resume; ``LambdaCallback`` makes a
callback of plain functions; ``TerminateOnNaN`` stops on a non-finite loss. Each lives in its
own module of this package; every name is importable from ``glassnet.callbacks``.
"""

from __future__ import annotations

from typing import Any

from glassnet.callbacks.callback import HOOKS, Callback, Logs, overrides, plain_logs
from glassnet.callbacks.callback_list import CallbackList
from glassnet.callbacks.checkpoints import BackupAndRestore, ModelCheckpoint
from glassnet.callbacks.csv_logger import CSVLogger
from glassnet.callbacks.early_stopping import EarlyStopping
from glassnet.callbacks.history import History
from glassnet.callbacks.lambda_callback import LambdaCallback
from glassnet.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from glassnet.callbacks.monitor_callback import MonitorCallback
from glassnet.callbacks.progress_bar import ProgressBar
from glassnet.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "HOOKS",
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "Logs",
    "ModelCheckpoint",
    "MonitorCallback",
    "ProgressBar",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "overrides",
    "plain_logs",
]


def __getattr__(name: str) -> Any:
    """The monitors live in glassnet.monitors; they are reachable from here too."""
    if name in ("TrainingMonitor", "GradientNormMonitor"):
        from glassnet import monitors

        return getattr(monitors, name)
    raise AttributeError(f"module 'glassnet.callbacks' has no attribute {name!r}")
