"""What fit, evaluate and predict print: on a terminal of a given width (a real pseudo-terminal
in a subprocess), into a file, and under pytest's capture; History's plain Python numbers."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import select
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from glassnet import callbacks, layers, models
from glassnet.callbacks.progress_bar import BAR_WIDTH, layout

pty = pytest.importorskip("pty")
fcntl = pytest.importorskip("fcntl")
termios = pytest.importorskip("termios")

PAIR = re.compile(r"- (\w+): (-?\d+\.\d{4}(?:e[-+]\d+)?)")

# one training run, then its history as JSON on the last line
SCRIPT = textwrap.dedent(
    """
    import json, shutil, sys
    import numpy as np
    from glassnet import layers, models

    print("size", shutil.get_terminal_size().columns, sys.stdout.isatty(), flush=True)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")[:, None]
    model = models.Sequential([layers.Input((3,)), layers.Dense(4, activation="relu"),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=EPOCHS, batch_size=16, validation_split=0.2VERBOSE)
    print("HISTORY", json.dumps(history.history), flush=True)
    """
)

KERAS_SCRIPT = textwrap.dedent(
    """
    import os
    os.environ["KERAS_BACKEND"] = "torch"
    import numpy as np, keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")[:, None]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.2)
    """
)


def script(epochs: int = 2, verbose: str = "") -> str:
    return SCRIPT.replace("EPOCHS", str(epochs)).replace("VERBOSE", verbose)


def child_env(columns: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return env


def run_in_terminal(code: str, columns: int, env: dict[str, str]) -> str:
    """Run ``python -c code`` with a pseudo-terminal ``columns`` wide as its stdout; all it
    wrote, as the terminal received it."""
    import struct

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        proc.wait(timeout=60)
    assert proc.returncode == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


def screen(text: str, columns: int) -> tuple[list[str], int]:
    """What a terminal ``columns`` wide shows after receiving ``text`` (no scrolling limit):
    its rows, and how many times a row was too long and wrapped by the terminal itself."""
    rows: list[list[str]] = [[]]
    r = c = wraps = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\x1b":
            match = re.match(r"\x1b\[(\d*)([A-Za-z])", text[i:])
            assert match, f"unknown escape sequence {text[i : i + 8]!r}"
            n, code = int(match.group(1) or 1), match.group(2)
            if code == "A":
                r = max(0, r - n)
            elif code == "K":
                del rows[r][c:]
            elif code == "J":
                del rows[r][c:]
                del rows[r + 1 :]
            i += match.end()
            continue
        if ch == "\r":
            c = 0
        elif ch == "\n":
            r += 1
            c = 0
        elif ch == "\b":
            c = max(0, c - 1)
        else:
            if c >= columns:  # the terminal wraps a row too long for it
                wraps += 1
                r += 1
                c = 0
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            row.extend(" " * (c + 1 - len(row)))
            row[c] = ch
            c += 1
        while len(rows) <= r:
            rows.append([])
        i += 1
    return ["".join(row).rstrip() for row in rows], wraps


def training_screen(text: str, columns: int) -> tuple[list[str], int]:
    """The screen of what the training printed, before the history the script prints."""
    return screen(text.split("HISTORY")[0], columns)


def epoch_blocks(rows: list[str], epochs: int) -> list[str]:
    """The rows of each epoch's final display (between its "Epoch e/E" header and the next
    header or the end), joined by newlines."""
    starts = [rows.index(f"Epoch {e}/{epochs}") for e in range(1, epochs + 1)]
    bounds = [*starts[1:], len(rows)]
    return ["\n".join(rows[s + 1 : e]) for s, e in zip(starts, bounds, strict=True)]


def history_of(text: str) -> dict[str, list[float]]:
    line = next(line for line in text.splitlines() if line.startswith("HISTORY"))
    return json.loads(line.split(" ", 1)[1])


def assert_metrics_whole(block: str, history: dict[str, list[float]], epoch: int) -> None:
    for name, values in history.items():
        # within one row: "name: value" whole, and not followed by more digits
        assert re.search(rf"(^|\s)- {name}: {values[epoch]:.4f}($|\s)", block, re.M), (
            name,
            block,
        )


# -- on a terminal ---------------------------------------------------------------------------


@pytest.mark.parametrize("columns_env", [80, None], ids=["COLUMNS=80", "terminal size"])
def test_at_80_columns_every_metric_is_whole_on_the_final_display(columns_env):
    text = run_in_terminal(script(), 80, child_env(columns_env))
    assert "size 80 True" in text  # what shutil.get_terminal_size and isatty saw
    rows, wraps = training_screen(text, 80)
    assert wraps == 0, "a row was wider than the terminal"
    assert all(len(row) < 80 for row in rows)
    history = history_of(text)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for epoch, block in enumerate(epoch_blocks(rows, 2)):
        assert block.startswith("10/10 ━")  # Keras's layout: steps, the bar, time, pairs
        assert re.match(r"10/10 ━+ \d+s \d+(s|ms|us)/step", block)
        assert_metrics_whole(block, history, epoch)


@pytest.mark.parametrize("columns", [40, 57, 100, 140])
def test_at_any_width_from_40_columns_no_number_is_cut(columns):
    text = run_in_terminal(script(epochs=1, verbose=", verbose=1"), columns, child_env(columns))
    assert f"size {columns} True" in text
    rows, wraps = training_screen(text, columns)
    assert wraps == 0
    history = history_of(text)
    # one epoch: no "Epoch 1/1" header, as Keras
    start = next(i for i, row in enumerate(rows) if row.startswith("10/10"))
    block = "\n".join(rows[start:]).rstrip()
    assert_metrics_whole(block, history, 0)
    if columns >= 140:
        assert "━" * BAR_WIDTH in block and "\n" not in block  # room for all on one row


def test_a_diverging_epoch_leaves_the_terminal_on_a_new_line():
    code = textwrap.dedent(
        """
        import warnings
        import numpy as np
        from glassnet import layers, models
        warnings.simplefilter("ignore")
        x = np.ones((64, 2), "float32") * 1e30
        model = models.Sequential([layers.Input((2,)), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, np.ones((64, 1), "float32"), epochs=2, batch_size=8, verbose=1)
        print("DONE")
        """
    )
    text = run_in_terminal(code, 80, child_env(80))
    rows, _ = screen(text, 80)
    assert "DONE" in rows


@pytest.mark.skipif(
    not (importlib.util.find_spec("keras") and importlib.util.find_spec("torch")),
    reason="needs keras with the torch backend",
)
def test_the_display_has_the_structure_of_keras():
    def structure(code: str, history_names: set[str]) -> list[tuple[str, str, list[str]]]:
        text = run_in_terminal(code, 80, child_env(80))
        rows, _ = training_screen(text, 80)
        found = []
        for epoch in (1, 2):
            start = rows.index(f"Epoch {epoch}/2")
            # Keras's row is wider than the terminal, which wraps it mid-word: rejoin it
            block = "".join(row + ("" if len(row) >= 80 else " ") for row in rows[start + 1 :])
            block = block.split("Epoch")[0]
            match = re.match(r"(\d+/\d+) ━+ \d+s \d+(?:s|ms|us)/step", block)
            assert match, block
            names = [name for name, _ in PAIR.findall(block)]
            found.append((f"Epoch {epoch}/2", match.group(1), sorted(names)))
            assert set(names) == history_names
        return found

    names = {"loss", "accuracy", "val_loss", "val_accuracy"}
    ours = structure(script() + "\nprint('HISTORY {}')", names)
    keras = structure(KERAS_SCRIPT, names)
    assert ours == keras


# -- into a pipe or a file -------------------------------------------------------------------


@pytest.mark.parametrize("verbose", ["", ", verbose=1", ", verbose=2"])
def test_into_a_file_one_line_per_epoch_and_no_carriage_return(tmp_path, verbose):
    log = tmp_path / "train.log"
    with log.open("w") as out:
        subprocess.run(
            [sys.executable, "-c", script(epochs=3, verbose=verbose)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env(None),
            check=True,
            timeout=300,
        )
    text = log.read_text()
    assert "\r" not in text and "\x1b" not in text and "\b" not in text
    history = history_of(text)
    lines = [line for line in text.splitlines() if line.startswith("Epoch")]
    assert len(lines) == 3
    for epoch, line in enumerate(lines):
        assert re.match(rf"Epoch {epoch + 1}/3 - 10/10 - \d+s - \d+(s|ms|us)/step - ", line)
        assert_metrics_whole(line, history, epoch)


def test_verbose_0_writes_nothing_even_on_a_terminal():
    text = run_in_terminal(script(verbose=", verbose=0"), 80, child_env(80))
    assert [line for line in text.splitlines() if line.strip()][1].startswith("HISTORY")


# -- evaluate and predict ----------------------------------------------------------------------


def small_model() -> tuple[models.Sequential, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = models.Sequential(
        [layers.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1, "sigmoid")]
    )
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model, x, y


def test_evaluate_prints_its_line_by_default(capsys):
    model, x, y = small_model()
    loss, accuracy = model.evaluate(x, y, batch_size=16)
    out = capsys.readouterr().out
    assert "\r" not in out
    (line,) = out.splitlines()  # not a terminal: one final line, as Keras's verbose=2
    assert re.match(r"4/4 - \d+s - \d+(s|ms|us)/step - loss: \d\.\d{4} - accuracy: ", line)
    assert f"loss: {loss:.4f}" in line and f"accuracy: {accuracy:.4f}" in line
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""


def test_predict_prints_its_line_by_default(capsys):
    model, x, _ = small_model()
    model.predict(x, batch_size=16)
    out = capsys.readouterr().out
    assert re.fullmatch(r"4/4 - \d+s - \d+(s|ms|us)/step\n", out)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_validation_inside_fit_prints_no_evaluate_line(capsys):
    model, x, y = small_model()
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("Epoch") for line in lines)


def test_evaluate_on_a_terminal_draws_a_bar():
    code = textwrap.dedent(
        """
        import numpy as np
        from glassnet import layers, models
        x = np.random.default_rng(0).normal(size=(50, 3)).astype("float32")
        model = models.Sequential([layers.Input((3,)), layers.Dense(1, "sigmoid")])
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
        model.evaluate(x, (x[:, :1] > 0).astype("float32"), batch_size=16)
        model.predict(x, batch_size=16)
        """
    )
    rows, wraps = screen(run_in_terminal(code, 80, child_env(80)), 80)
    rows = [row for row in rows if row]
    assert wraps == 0 and len(rows) == 2
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(s|ms|us)/step - loss: \S+ - accuracy: \S+", rows[0])
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(s|ms|us)/step", rows[1])


# -- the layout ------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", range(40, 131, 7))
def test_the_bar_gives_way_to_the_metrics_at_every_width(columns):
    pairs = ["- loss: 1.8107", "- accuracy: 0.4231", "- val_loss: 1.9001", "- val_accuracy: 0.3900"]
    plain, coloured = layout("120/120", 0.5, "1s 5ms/step", pairs, columns)
    assert all(len(row) <= columns - 1 for row in plain)
    assert [re.sub(r"\x1b\[\d+m", "", row) for row in coloured] == plain
    for pair in pairs:
        assert sum(pair in row for row in plain) == 1
    one_row = len("120/120 1s 5ms/step ") + len(" ".join(pairs))
    if one_row <= columns - 1:
        assert len(plain) == 1
        assert plain[0].count("━") == max(0, min(BAR_WIDTH, columns - 1 - one_row - 1))
    else:
        assert len(plain) > 1 and plain[0].startswith("120/120 ━")


def test_a_line_is_never_cut_where_the_old_bar_cut_it():
    # the users' report: "… loss: 1.8107 - accura" at 80 columns
    pairs = ["- loss: 1.8107", "- accuracy: 0.4231"]
    (row,), _ = layout("120/120", 1.0, "1s 5ms/step", pairs, 80)
    assert row.endswith("- loss: 1.8107 - accuracy: 0.4231")
    assert row.count("━") == BAR_WIDTH


# -- History ---------------------------------------------------------------------------------


def test_history_holds_python_floats_and_params_python_ints():
    model, x, y = small_model()
    added = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.update(extra=np.float32(0.5), count=np.int64(3))
    )
    history = model.fit(
        x,
        y,
        epochs=np.int64(6),
        batch_size=np.int64(8),
        validation_split=0.2,
        validation_freq=2,
        verbose=0,
        callbacks=[
            callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=10.0),
            callbacks.ReduceLROnPlateau(monitor="loss", patience=1),
            added,
        ],
    )
    assert history.history["val_loss"]  # validated at least once
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "learning_rate", "extra"}
    for name, values in history.history.items():
        assert all(type(v) is float for v in values), (name, [type(v) for v in values])
    assert history.history["count"] == [3.0] * len(history.epoch)
    assert all(type(e) is int for e in history.epoch)
    for name, value in history.params.items():
        assert type(value) is int, (name, type(value))
    assert history.params["epochs"] == 6 and history.params["batch_size"] == 8
