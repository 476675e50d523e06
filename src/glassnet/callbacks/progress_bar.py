"""ProgressBar: what ``fit``, ``evaluate`` and ``predict`` print with ``verbose`` 1, 2 or "auto".

The layout is Keras 3's ``Progbar``::

    Epoch 3/10
    120/120 ━━━━━━━━━━━━━━━━━━━━ 1s 5ms/step - loss: 0.0943 - accuracy: 0.9718

On a terminal (or in a notebook) the line is redrawn in place while the epoch runs; the bar
shrinks to leave room for the metrics, and when even no bar leaves enough, the metrics go on
the following lines: a number is never cut. Anywhere else (a pipe, a file) there is one line
per epoch and no carriage return, so that a log file reads line by line.

The display is written here rather than with tqdm: tqdm trims its line to the terminal's width,
which cuts the last metrics, and it cannot wrap them onto a second line.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import Any

from glassnet.callbacks.callback import Callback, Logs

BAR_WIDTH = 20  # Keras's Progbar: the bar's width when there is room for it
_INTERVAL = 0.05  # seconds between two redraws (as Keras's Progbar), the last always drawn
_DONE, _TODO, _RESET = "\x1b[32m", "\x1b[37m", "\x1b[0m"  # Keras's colours: green, then grey
_UP, _CLEAR_LINE, _CLEAR_BELOW = "\x1b[{}A", "\x1b[K", "\x1b[J"


def format_value(value: float) -> str:
    """A metric as Keras's Progbar shows it: 4 decimals, or 4 significant digits near 0."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_per_step(seconds: float) -> str:
    """The time per step, as Keras's Progbar: "2s/step", "5ms/step" or "80us/step"."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{seconds // 3600:.0f}:{(seconds % 3600) // 60:02.0f}:{seconds % 60:02.0f}"
    if seconds > 60:
        return f"{seconds // 60:.0f}:{seconds % 60:02.0f}"
    return f"{seconds:.0f}s"


def _pairs(logs: Logs | None) -> list[str]:
    return [f"- {name}: {format_value(value)}" for name, value in (logs or {}).items()]


def layout(
    count: str, progress: float, clock: str, pairs: list[str], columns: int
) -> tuple[list[str], list[str]]:
    """The rows of one display at a terminal ``columns`` wide, as (plain rows, coloured rows).

    One row ``count bar clock pair pair …`` with the bar as wide as fits (up to BAR_WIDTH,
    down to none); when the pairs do not fit even without a bar, the first row keeps the bar
    and the pairs follow on as many rows as they need, whole.
    """
    room = columns - 1  # a row as wide as the terminal would wrap on some terminals
    head = len(count) + 1 + len(clock)
    metrics = " ".join(pairs)
    rows: list[tuple[str, int, str]]  # (steps, bar width or -1 for a row of metrics, the rest)
    spare = room - head - (1 + len(metrics) if pairs else 0)
    if spare >= 0 or not pairs:
        # the bar takes what is left, less the space that follows it
        rows = [(count, min(BAR_WIDTH, spare - 1), clock + (" " + metrics if pairs else ""))]
    else:
        rows = [(count, min(BAR_WIDTH, max(0, room - head - 1)), clock)]
        line = ""
        for pair in pairs:
            if line and len(line) + 1 + len(pair) > room:
                rows.append(("", -1, line))
                line = pair
            else:
                line = f"{line} {pair}" if line else pair
        rows.append(("", -1, line))
    plain: list[str] = []
    coloured: list[str] = []
    for head_text, bar_width, tail in rows:
        if bar_width < 0:  # a row of metrics only
            plain.append(tail)
            coloured.append(tail)
            continue
        bar_width = max(0, bar_width)
        done = min(bar_width, int(bar_width * progress))
        bar = "━" * bar_width
        painted = f"{_DONE}{'━' * done}{_RESET}{_TODO}{'━' * (bar_width - done)}{_RESET}"
        plain.append(f"{head_text} {bar} {tail}" if bar_width else f"{head_text} {tail}")
        coloured.append(f"{head_text} {painted} {tail}" if bar_width else f"{head_text} {tail}")
    return plain, coloured


class ProgressBar(Callback):
    """Progress display of ``fit``, ``evaluate`` and ``predict``, as Keras's ``ProgbarLogger``.

    verbose=1: on a terminal (or in a notebook) a bar redrawn in place — steps done, elapsed
    time (the time left while running), time per step and the running loss and metrics;
    elsewhere (output piped or sent to a file) one line per epoch, as verbose=2.
    verbose=2: one line per epoch (``Epoch 3/10 - 120/120 - 1s - 5ms/step - loss: …``).
    During ``fit`` the validation is silent; ``evaluate`` and ``predict`` show their own
    bar, or one line at the end.
    """

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self._in_fit = False
        self._live = False
        self._terminal = False
        self._label = ""
        self._start = 0.0
        self._last_draw = 0.0
        self._seen = 0
        self._rows = 0  # rows of the display being redrawn, 0 when none is open
        self._width = 0  # in a notebook: the last line's width, to blank what it leaves over

    # -- where and how to write ---------------------------------------------------------------
    def _begin(self, header: str | None = None) -> None:
        stream = sys.stdout
        self._terminal = bool(getattr(stream, "isatty", lambda: False)())
        # a notebook's output is no terminal, but it honours "\r" (as Keras assumes)
        self._live = self.verbose == 1 and (self._terminal or _in_notebook())
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._seen = 0
        self._rows = 0
        self._width = 0
        if self._live and header:
            self._write(header + "\n")

    @staticmethod
    def _write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def _draw(self, seen: int, logs: Logs | None, final: bool) -> None:
        now = time.perf_counter()
        if not final and now - self._last_draw < _INTERVAL:
            return
        self._last_draw = now
        target = max(int(self.params.get("steps") or seen or 1), seen, 1)
        elapsed = now - self._start
        per_step = elapsed / max(seen, 1)
        count = f"{seen:>{len(str(target))}}/{target}"
        clock = f"{elapsed:.0f}s" if final else _format_eta(per_step * (target - seen))
        clock = f"{clock} {format_per_step(per_step)}"
        # only a terminal has a width to keep to; a notebook wraps a long line itself
        columns = shutil.get_terminal_size().columns if self._terminal else 1 << 16
        plain, coloured = layout(count, seen / target, clock, _pairs(logs), max(columns, 2))
        if self._terminal:
            up = _UP.format(self._rows - 1) if self._rows > 1 else ""
            text = "\r" + up + (_CLEAR_LINE + "\n").join(coloured) + _CLEAR_BELOW
        else:
            text = "\r" + coloured[0] + " " * max(0, self._width - len(plain[0]))
            self._width = len(plain[0])
        self._rows = len(coloured)
        if final:
            text += "\n"
            self._rows = 0
        self._write(text)

    def _finish(self, logs: Logs | None, label: str = "") -> None:
        """The last display of an epoch (or of evaluate/predict): the bar's final state, or
        the single line."""
        steps = self._seen or int(self.params.get("steps") or 1)
        if self._live:
            self._draw(steps, logs, final=True)
            return
        elapsed = time.perf_counter() - self._start
        target = int(self.params.get("steps") or steps)
        parts = [label] if label else []
        parts += [f"{steps}/{target}", f"{elapsed:.0f}s", format_per_step(elapsed / steps)]
        parts += [f"{name}: {format_value(value)}" for name, value in (logs or {}).items()]
        self._write(" - ".join(parts) + "\n")

    def _step(self, batch: int, logs: Logs | None) -> None:
        self._seen = batch + 1
        if self._live:
            self._draw(self._seen, logs, final=False)

    # -- fit ------------------------------------------------------------------------------------
    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._in_fit = True  # inside fit the validation is silent, as in Keras

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        epochs = int(self.params.get("epochs") or 1)
        self._label = f"Epoch {epoch + 1}/{epochs}"
        # as Keras: the "Epoch e/E" header over the bar when there is more than one epoch
        self._begin(self._label if epochs > 1 else None)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._step(batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._finish(logs, self._label)

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._rows:  # an epoch cut short (the loss diverged): close its display
            self._write("\n")
            self._rows = 0
        self._in_fit = False

    # -- evaluate -------------------------------------------------------------------------------
    def on_test_begin(self, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._begin()

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._step(batch, logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._finish(logs)

    # -- predict --------------------------------------------------------------------------------
    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self._begin()

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._step(batch, None)  # as Keras: the bar, without the outputs

    def on_predict_end(self, logs: Logs | None = None) -> None:
        self._finish(None)


def _in_notebook() -> bool:
    """Is this code running in a Jupyter kernel (not merely with ipykernel imported)?"""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
