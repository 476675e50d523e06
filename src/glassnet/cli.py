"""The ``glassnet`` command: run the studies, train a model, draw the figures.

glassnet demo
glassnet run activations --seeds 30
glassnet train --data digits --layers 128 --epochs 20
glassnet predict --model bc.glassnet --data rows.csv --out predictions.csv
glassnet plot glassnet-report/activations.json
glassnet playground
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

DEFAULT_OUT = Path("glassnet-report")


class CommandError(click.ClickException):
    """A bad value or a missing file: one line on stderr, exit code 2."""

    exit_code = 2


def _int_list(value: str, what: str) -> list[int]:
    try:
        items = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise CommandError(
            f"{what} must be comma-separated integers like 512,256, got {value!r}"
        ) from None
    if not items or min(items) < 1:
        raise CommandError(f"{what} must be positive integers like 512,256, got {value!r}")
    return items


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _report(results: list[Any], out: Path, echo: bool = True) -> Path:
    """Write each study's page (with figures, JSON, CSV) and an index; return the index path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from glassnet import experiments, report

    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for result in results:
        figures = experiments.figures(result)
        page = report.render_study(
            result, figures, out, extra_sections=experiments.sections(result)
        )
        for fig in figures.values():
            plt.close(fig)
        entries.append((result, page))
        if echo:
            click.echo(f"\n{result.title}\n  {result.verdict}\n  ({result.seconds:.1f} s) → {page}")
    index = report.render_index(entries, out)
    return index


def _guard(action: Callable[[], Any]) -> Any:
    """Turn glassnet's errors about bad values and missing files into messages, not tracebacks."""
    from glassnet.datasets import DatasetError

    try:
        return action()
    except (ValueError, TypeError) as err:
        raise CommandError(str(err)) from None
    except (DatasetError, FileNotFoundError) as err:
        # in full: which files are missing, where to put them and where to get them
        raise CommandError(str(err) or repr(err)) from None


def _check_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output folder option, checked before any work: it exists or can be created, and is
    writable (nothing is created yet)."""
    from glassnet.experiments.options import check_output_folder

    if value is not None:
        _guard(lambda: check_output_folder(value, param.opts[0]))
    return value


def _check_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output file option, checked before any work: not a folder, and its folder exists or
    can be created and is writable."""
    from glassnet.experiments.options import check_output_file

    if value is not None:
        _guard(lambda: check_output_file(value, param.opts[0]))
    return value


threads_option = click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="BLAS threads for matrix products (default: the BLAS library's choice).",
)
out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    callback=_check_folder,
    help="Folder for the HTML report, figures, JSON and CSV.",
)
jobs_option = click.option(
    "--n-jobs",
    type=int,
    default=1,
    show_default=True,
    help="Worker processes for the runs of a study (-1: all cores).",
)


def _set_threads(threads: int | None) -> None:
    if threads is not None:
        from glassnet import config

        config.set_threads(threads)


class _MainGroup(click.Group):
    """The commands; ``train`` is built from its declaration when it is asked for (so that
    ``glassnet --help`` stays fast)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), "train"])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "train":
            return _declared_command("train", "train")
        return super().get_command(ctx, cmd_name)


@click.group(cls=_MainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="glassnet")
@click.option(
    "--debug",
    is_flag=True,
    help="On an unexpected error, show the full traceback instead of a one-line summary.",
)
def main(debug: bool) -> None:
    """glassnet: neural networks whose inner workings you can see."""


@main.command()
@click.option(
    "--seeds",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Seeds per activation in the activation study.",
)
@out_option
@threads_option
def demo(seeds: int, out: Path, threads: int | None) -> None:
    """Sigmoid vs tanh on the paper's network, and an MLP on digits, with an HTML report."""
    from glassnet.experiments import activations, mnist

    _set_threads(threads)
    start = time.perf_counter()
    click.echo(
        f"glassnet demo: the paper's 3-2-1 network with sigmoid and tanh, {seeds} seeds "
        "each, then the lesson's MLP on scikit-learn's digits."
    )
    studies = [
        _guard(lambda: activations.run(seeds=seeds)),
        _guard(lambda: mnist.run(dataset="digits", epochs=20, batch_size=32)),
    ]
    index = _report(studies, out)
    click.echo(f"\nReport: {index.resolve()}\nDone in {time.perf_counter() - start:.1f} s.")


def _study_option(param: Any) -> click.Option:
    """A study parameter as a command-line option, checked by its declaration when parsed."""
    metavar = {
        "int": "INTEGER",
        "float": "NUMBER",
        "ints": "INTEGERS",
        "floats": "NUMBERS",
        "path": "FILE",
    }

    def convert(ctx: click.Context, option: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return param.parse(value)
        except ValueError as err:
            raise click.BadParameter(str(err)) from None

    help_text = param.help
    if param.is_list:
        help_text += " Comma-separated."
    if param.range_text() and not param.choices:
        help_text += f" ({param.range_text()})"
    return click.Option(
        [param.flag, param.name],
        type=click.Choice(param.choices) if param.choices else str,
        default=None if param.default is None else param.format(param.default),
        show_default=bool(param.format(param.default)),
        metavar=None
        if param.choices
        else metavar.get(param.kind, "NAMES" if param.is_list else "TEXT"),
        callback=convert,
        help=help_text,
    )


def _declared_command(name: str, command_name: str) -> click.Command:
    """A command whose options are built from a study's declaration (``glassnet run <study>``,
    ``glassnet train``)."""
    from glassnet.experiments import contract

    declared = contract.declaration(name)
    fixed = {"verbose": 1} if any(p.name == "verbose" for p in declared.params) else {}

    def callback(out: Path, threads: int | None, **options: Any) -> None:
        _run_study(name, out, threads, **options, **fixed)
        if options.get("save") is not None:
            click.echo(f"Model saved to {options['save']}")

    command = click.Command(
        command_name,
        callback=callback,
        params=[_study_option(p) for p in declared.params if p.on_command_line],
        help=declared.summary,
    )
    out_option(command)
    threads_option(command)
    return command


class _StudyGroup(click.Group):
    """The studies, by name: ``vanishing_gradients`` or, spelt as the options are,
    ``vanishing-gradients``. Each study's command is built from its declaration."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from glassnet.experiments import STUDIES

        return [*(name.replace("_", "-") for name in STUDIES), *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from glassnet.experiments import STUDIES

        name = cmd_name.replace("-", "_")
        if name in STUDIES:
            return _declared_command(name, name)
        return super().get_command(ctx, cmd_name)


@main.group(cls=_StudyGroup)
def run() -> None:
    """Run one study (or all of them) and write its report.

    A study's name may be written with underscores or dashes (vanishing-gradients).
    """


def _run_study(name: str, out: Path, threads: int | None, **options: Any) -> None:
    from glassnet import experiments

    _set_threads(threads)
    result = _guard(lambda: experiments.run(name, **options))
    index = _report([result], out)
    click.echo(f"Report: {index.resolve()}")


@run.command("all")
@click.option(
    "--seeds",
    type=click.IntRange(min=1),
    default=None,
    help="Seeds for the studies that use several (default: each study's own).",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=None,
    help="Epochs for every study (default: each study's own).",
)
@jobs_option
@out_option
@threads_option
def run_all(
    seeds: int | None, epochs: int | None, n_jobs: int, out: Path, threads: int | None
) -> None:
    """Every study, one after the other, with an index page."""
    from glassnet import experiments
    from glassnet.experiments import contract

    _set_threads(threads)
    given = {"--seeds": seeds, "--epochs": epochs, "--n-jobs": n_jobs}
    results = []
    for name in experiments.STUDIES:
        options = {
            p.name: given[p.flag]
            for p in contract.declaration(name).params
            if given.get(p.flag) is not None
        }
        click.echo(f"Running {name} …")
        results.append(_guard(functools.partial(experiments.run, name, **options)))
    index = _report(results, out)
    click.echo(f"\nReport: {index.resolve()}")


@main.command()
@click.option(
    "--model",
    "model_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A model saved by 'glassnet train --save'.",
)
@click.option("--data", required=True, help="A CSV file of rows to predict, with a header line.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=_check_file,
    help="Write the predictions to this CSV file (default: print them).",
)
@click.option("--proba", is_flag=True, help="Add one probability column per class.")
@click.option(
    "--sep",
    default=None,
    help="The CSV separator (default: guessed from the first lines, else ',').",
)
@click.option("--drop", default="", help="CSV columns to leave out, comma-separated.")
@click.option(
    "--target",
    default=None,
    help="The column of true labels, if present: ignored for predicting, used for the "
    "accuracy (default: the model's training target).",
)
def predict(
    model_path: Path,
    data: str,
    out: Path | None,
    proba: bool,
    sep: str | None,
    drop: str,
    target: str | None,
) -> None:
    """Predict the class of each row of a CSV file with a saved model, one line per row.

    glassnet predict --model bc.glassnet --data rows.csv --out predictions.csv
    """
    from glassnet import models
    from glassnet.experiments import train as train_module

    model = _guard(lambda: models.load_model(model_path, compile=False))
    table, accuracy = _guard(
        lambda: train_module.predict_csv(
            model, data, sep=sep, drop=_names(drop), target=target, proba=proba
        )
    )
    if out is None:
        click.echo(table.to_csv(index=False), nl=False)
    else:
        _guard(lambda: table.to_csv(out, index=False))
        click.echo(f"{len(table)} predictions written to {out}")
    if accuracy is not None:
        click.echo(f"Accuracy {accuracy:.2%} on {len(table)} rows", err=out is None)


@main.command()
@click.argument("results", type=click.Path(dir_okay=False, path_type=Path))
@out_option
def plot(results: Path, out: Path) -> None:
    """Redraw a study's figures and report from its RESULTS.json, without retraining."""
    from glassnet.experiments import StudyResult

    result = _guard(lambda: StudyResult.load_json(results))
    index = _report([result], out)
    click.echo(f"Report: {index.resolve()}")


def _check_curves(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Activations that can be drawn as curves g(z): known and element-wise."""
    from glassnet.experiments.options import check_hidden_activations

    try:
        check_hidden_activations(_names(value), cannot="be drawn as a curve g(z)")
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    return value


@main.command("plot-activations")
@click.option(
    "--activations",
    "names",
    default="sigmoid,tanh,relu,leaky_relu",
    show_default=True,
    callback=_check_curves,
    help="Comma-separated element-wise activations.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("activations"),
    show_default=True,
    callback=_check_file,
    help="The figure's file: with a suffix (.png, .svg, .pdf, …) that file alone is written; "
    "without one, PNG and SVG.",
)
def plot_activations(names: str, out: Path) -> None:
    """Each activation and its derivative, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    from glassnet import plots

    fig = _guard(lambda: plots.activation_panels(_names(names)))
    fmt = out.suffix.lower().lstrip(".")
    if fmt in fig.canvas.get_supported_filetypes():
        paths = plots.save_figure(fig, out.with_suffix(""), formats=[fmt])
        if paths[0] != out:  # a suffix in capitals (.PNG): keep the name asked for
            paths = [paths[0].replace(out)]
    else:  # no suffix, or a dot inside the name (v1.2): both formats after it
        paths = plots.save_figure(fig, out)
    for path in paths:
        click.echo(str(path))


@main.command()
@click.option(
    "--activation",
    type=click.Choice(["sigmoid", "tanh", "relu", "leaky_relu"]),
    default="sigmoid",
    show_default=True,
    help="The hidden units' activation.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A saved model to walk through (on random inputs) instead.",
)
def explain(activation: str, seed: int, fmt: str, model_path: Path | None) -> None:
    """One forward and backward pass with the update, every number and formula shown.

    By default on the paper's 3-2-1 network and its four samples (float64).
    """
    from glassnet import config, models
    from glassnet.experiments.paper import X, Y, paper_network

    with config.floatx_scope("float64"):
        if model_path is None:
            model, x, y = paper_network(activation, seed), X, Y
        else:
            model = _guard(lambda: models.load_model(model_path))
            x, y = _random_batch(model, seed)
        steps = _guard(lambda: model.explain(x, y))
    click.echo(steps.to_markdown() if fmt == "markdown" else steps.to_text())


@main.command()
@click.option(
    "--layers",
    "hidden",
    default="4,3",
    show_default=True,
    help="Hidden layer sizes of the network to check.",
)
@click.option(
    "--activation",
    default="tanh",
    show_default=True,
    help="Hidden activation: any registered name.",
)
@click.option(
    "--loss",
    type=click.Choice(
        [
            "mse",
            "binary_crossentropy",
            "categorical_crossentropy",
            "sparse_categorical_crossentropy",
        ]
    ),
    default="categorical_crossentropy",
    show_default=True,
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Check a saved (compiled) model instead, on random inputs.",
)
@click.option(
    "--tolerance",
    type=float,
    default=1e-6,
    show_default=True,
    help="Relative tolerance (> 0); the absolute one is 1e-3 times it.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
def gradcheck(
    hidden: str, activation: str, loss: str, model_path: Path | None, tolerance: float, seed: int
) -> None:
    """Compare backpropagation with finite differences, per layer; exit 1 if any fails.

    An entry is an error when |g_a − g_n| > absolute tolerance and |g_a − g_n| >
    tolerance·(|g_a| + |g_n|). Entries whose step ±ε crosses a kink (ReLU at 0, …) are
    inconclusive, not errors. The last failing layer in forward order is blamed; failing layers
    before it inherit its error.
    """
    import glassnet as gn
    from glassnet import layers, models

    if not 0 < tolerance < float("inf"):  # also refuses nan
        raise CommandError(f"--tolerance must be a positive finite number, got {tolerance!r}")
    if model_path is not None:
        model = _guard(lambda: models.load_model(model_path))
    else:
        sizes = _int_list(hidden, "--layers")
        output = {"mse": "linear", "binary_crossentropy": "sigmoid"}.get(loss, "softmax")
        gn.set_seed(seed)
        model = _guard(
            lambda: models.Sequential(
                [layers.Dense(sizes[0], activation=activation, input_dim=5)]
                + [layers.Dense(s, activation=activation) for s in sizes[1:]]
                + [layers.Dense(3, activation=output)]
            )
        )
        model.compile(optimizer="sgd", loss=loss)
    x, y = _random_batch(model, seed)
    report = _guard(lambda: gn.gradcheck(model, x, y, tolerance=tolerance))
    click.echo(str(report))
    if not report.passed:
        sys.exit(1)


def _random_batch(model: Any, seed: int) -> tuple[Any, Any]:
    """Eight random inputs for the model, and random targets that suit its loss."""
    import numpy as np

    from glassnet import losses

    if not model.compiled or not model.built:
        raise CommandError("the model file must hold a built, compiled model")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(8, *model.input_shape[1:]))
    width = model.output_shape[-1]
    y: np.ndarray
    if isinstance(model.loss, losses.SparseCategoricalCrossentropy):
        y = rng.integers(0, width, 8)
    elif isinstance(model.loss, losses.CategoricalCrossentropy):
        y = np.eye(width)[rng.integers(0, width, 8)]
    elif isinstance(model.loss, losses.BinaryCrossentropy):
        y = rng.integers(0, 2, (8, width)).astype(float)
    else:
        y = rng.normal(size=(8, width))
    return x, y


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The interface to listen on (127.0.0.1: this machine only).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="The TCP port (0 picks a free one).",
)
@click.option("--no-browser", is_flag=True, help="Print the URL without opening a browser.")
def playground(host: str, port: int, no_browser: bool) -> None:
    """Train a network live in the browser, every number shown (Ctrl-C stops the server).

    The page is served on this machine with a secret token in its URL; needs the extra:
    pip install "glassnet[playground]"
    """
    from glassnet.playground import launch

    try:
        launch.serve(host=host, port=port, open_browser=not no_browser)
    except ImportError as err:
        raise CommandError(str(err)) from None
    except OSError as err:
        raise CommandError(str(err)) from None


# A group called without a command raises this since click 8.2 (before: prints its help).
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def run_cli(argv: list[str] | None = None) -> int:
    """Run the command line; usage errors are one line on stderr with exit code 2."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        main.main(args=args, prog_name="glassnet", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except _NO_ARGS_IS_HELP as err:  # a bare `glassnet` (or `glassnet run`): its help
        assert err.ctx is not None
        click.echo(err.ctx.get_help())
        return 0
    except click.UsageError as err:
        hint = (
            f" (see 'glassnet {err.ctx.command_path.split(' ', 1)[1]} --help')"
            if (err.ctx is not None and " " in err.ctx.command_path)
            else " (see 'glassnet --help')"
        )
        click.echo(f"glassnet: error: {err.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as err:
        click.echo(f"glassnet: error: {err.format_message()}", err=True)
        return err.exit_code
    except Exception as err:
        if _debug(args):
            raise
        summary = " ".join(str(err).split()) or "(no message)"
        click.echo(
            f"glassnet: error: unexpected {type(err).__name__}: {summary} "
            "(re-run with --debug for the full traceback)",
            err=True,
        )
        return 1
    return 0


def _debug(args: list[str]) -> bool:
    """Whether the global --debug option was given (it comes before the command's name)."""
    for arg in args:
        if arg == "--debug":
            return True
        if not arg.startswith("-"):
            return False
    return False


def entry_point() -> None:
    sys.exit(run_cli())
