"""One declaration per study: its name, its title, and its parameters with their type, default,
range and meaning, written once, in the signature of the study's ``run``.

>>> @study("learning_rate", title="Learning rates")
... def run(
...     epochs: Annotated[int, Param("Epochs of gradient descent.", low=1)] = 100,
... ) -> StudyResult: ...

From that declaration the ``glassnet run`` command builds the study's options (``--epochs``,
with its default, range and help), ``run`` checks every option before any training, and the
report shows the settings with their meaning and the command that runs the study again.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import os
import shlex
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, TypeVar

from glassnet.experiments.result import StudyResult

__all__ = ["N_JOBS", "Annotated", "Param", "Study", "declaration", "study"]

F = TypeVar("F", bound=Callable[..., StudyResult])

# value types of a parameter, read from its annotation
_KINDS = {int: "int", float: "float", str: "str", bool: "bool"}
_LIST_KINDS = {int: "ints", float: "floats", str: "names"}


@dataclass(frozen=True)
class Param:
    """What one parameter of a study means and which values it accepts.

    Args:
        help: one sentence for ``--help`` and the report's settings table.
        low, high: the accepted range of a number (or of each number of a list), inclusive
            unless ``low_open``/``high_open``.
        choices: the accepted values of a string parameter.
        check: a further check of the whole value, returning it (or raising ValueError), e.g.
            that activations are element-wise.
        min_items: the least number of items of a list.
        option: the command line's spelling (without ``--``) when it is not the name with
            dashes (``learning_rates`` is ``--rates``).
        on_command_line: False for parameters the command sets itself (``verbose``).
        setting: False for parameters that do not change what is measured (``n_jobs``): left
            out of the settings table and of the command that runs the study again.
        kind: filled in from the annotation: int, float, str, bool, path, ints, floats or
            names.
        optional: filled in from the annotation: None is accepted (``str | None``).
        name, default: filled in from the signature.
    """

    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    check: Callable[[Any], Any] | None = None
    min_items: int = 1
    option: str | None = None
    on_command_line: bool = True
    setting: bool = True
    kind: str = ""
    optional: bool = False
    name: str = ""
    default: Any = None

    @property
    def flag(self) -> str:
        """The command-line option: ``--learning-rate``."""
        return "--" + (self.option or self.name).replace("_", "-")

    @property
    def is_list(self) -> bool:
        return self.kind in ("ints", "floats", "names")

    def range_text(self) -> str:
        """The accepted values in words: "> 0", "1 to 6", "one of a, b"."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        low = None if self.low is None else f"{'>' if self.low_open else '≥'} {self.low:g}"
        high = None if self.high is None else f"{'<' if self.high_open else '≤'} {self.high:g}"
        return " and ".join(part for part in (low, high) if part)

    def _number(self, value: Any, what: str) -> int | float:
        wanted = "an integer" if self.kind in ("int", "ints") else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            with contextlib.suppress(TypeError, ValueError):  # NumPy scalars and the like
                value = value.item() if hasattr(value, "item") else value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{what} must be {wanted}, got {value!r}")
        if self.kind in ("int", "ints"):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{what} must be {wanted}, got {value!r}")
            value = int(value)
        elif not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number, got {value!r}")
        else:
            value = float(value)
        too_low = self.low is not None and (
            value <= self.low if self.low_open else value < self.low
        )
        too_high = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        if too_low or too_high:
            raise ValueError(f"{what} must be {self.range_text()}, got {value!r}")
        return value

    def validate(self, value: Any) -> Any:
        """The value checked (and normalised: a list for a list parameter); else ValueError
        saying what was received and what was expected."""
        what = self.name
        if value is None and self.optional:
            return None
        if self.is_list:
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise ValueError(f"{what} must be a list, got {value!r}")
            items = list(value)
            if len(items) < self.min_items:
                raise ValueError(
                    f"{what} needs at least {self.min_items} value"
                    f"{'s' if self.min_items > 1 else ''}, got {', '.join(map(str, items))}"
                )
            if self.kind == "names":
                bad = [v for v in items if not isinstance(v, str) or not v]
                if bad:
                    raise ValueError(f"{what} must be names, got {bad[0]!r}")
            else:
                items = [self._number(v, f"each of {what}") for v in items]
            value = items
        elif self.kind in ("int", "float"):
            value = self._number(value, what)
        elif self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{what} must be True or False, got {value!r}")
        elif self.kind == "path":
            if not isinstance(value, (str, os.PathLike)) or not str(value):
                raise ValueError(f"{what} must be a file path, got {value!r}")
            value = Path(value)
        elif self.kind == "str":
            if not isinstance(value, str):
                raise ValueError(f"{what} must be a string, got {value!r}")
            if self.choices and value not in self.choices:
                raise ValueError(f"{what} must be {self.range_text()}, got {value!r}")
        if self.check is not None:
            checked = self.check(value)
            value = value if checked is None else checked
        return value

    def parse(self, text: str) -> Any:
        """A command-line value (``"0.1,0.3"`` for a list) turned into the parameter's type and
        checked; else ValueError."""
        if self.is_list:
            items: list[Any] = [v.strip() for v in text.split(",") if v.strip()]
            if self.kind != "names":
                to_number = int if self.kind == "ints" else float
                try:
                    items = [to_number(v) for v in items]
                except ValueError:
                    example = "512,256" if self.kind == "ints" else "0.01,0.1"
                    raise ValueError(
                        f"{self.flag} must be comma-separated "
                        f"{'integers' if self.kind == 'ints' else 'numbers'} like {example}, "
                        f"got {text!r}"
                    ) from None
            return self.validate(items)
        if self.kind in ("int", "float"):
            try:
                value: float = int(text) if self.kind == "int" else float(text)
            except ValueError:
                wanted = "an integer" if self.kind == "int" else "a number"
                raise ValueError(f"{self.flag} must be {wanted}, got {text!r}") from None
            return self.validate(value)
        return self.validate(text)

    def format(self, value: Any) -> str:
        """The value as the command line spells it: ``0.1,0.3`` for a list."""
        if value is None:
            return ""
        if self.is_list:
            return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Study:
    """A study's declaration: name, title (fixed, or a function of the options used), the
    one-line summary and the parameters of its ``run``, in order."""

    name: str
    summary: str
    params: tuple[Param, ...]
    title: str | Callable[[Mapping[str, Any]], str] = ""
    run: Callable[..., StudyResult] | None = field(repr=False, default=None)
    command_name: str = ""  # "run activations", "train": the words after ``glassnet``

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"study {self.name!r} has no parameter {name!r}")

    def check(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Every option (defaults filled in) checked by its declaration; unknown names refused
        with the accepted ones."""
        unknown = [k for k in options if k not in {p.name for p in self.params}]
        if unknown:
            raise TypeError(
                f"study {self.name!r} has no option {unknown[0]!r}; its options: "
                f"{', '.join(p.name for p in self.params)}"
            )
        return {p.name: p.validate(options.get(p.name, p.default)) for p in self.params}

    def title_for(self, options: Mapping[str, Any]) -> str:
        """The title, following the options actually used."""
        return self.title(options) if callable(self.title) else self.title

    def command(self, settings: Mapping[str, Any]) -> str:
        """The ``glassnet run`` command that runs the study again with these settings (options
        at their default left out)."""
        words = ["glassnet", *self.command_name.split()]
        for p in self.params:
            if not (p.setting and p.on_command_line) or p.name not in settings:
                continue
            value = settings[p.name]
            default = list(p.default) if p.is_list else p.default
            if value == default or value is None:
                continue
            text = p.format(value)
            words += [p.flag, shlex.quote(text) if text else "''"]
        return " ".join(words)


_DECLARED: dict[str, Study] = {}


def _param_of(name: str, parameter: inspect.Parameter, hint: Any) -> Param:
    if typing.get_origin(hint) is not Annotated:
        raise TypeError(f"parameter {name!r} of a study must be declared Annotated[type, Param]")
    base, *extras = typing.get_args(hint)
    declared = next((e for e in extras if isinstance(e, Param)), None)
    if declared is None:
        raise TypeError(f"parameter {name!r} of a study has no Param in its annotation")
    if parameter.default is inspect.Parameter.empty:
        raise TypeError(f"parameter {name!r} of a study needs a default")
    optional = False
    if typing.get_origin(base) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(base) if m is not type(None)]
        optional = len(members) < len(typing.get_args(base))
        base = Path if Path in members else members[0]
    origin = typing.get_origin(base)
    if origin is not None and issubclass(origin, Sequence):
        kind = _LIST_KINDS[typing.get_args(base)[0]]
    else:
        kind = "path" if base is Path else _KINDS[base]
    return replace(
        declared,
        name=name,
        default=parameter.default,
        kind=declared.kind or kind,
        optional=optional,
    )


def study(
    name: str, title: str | Callable[[Mapping[str, Any]], str], command: str = ""
) -> Callable[[F], F]:
    """Declare a study from its ``run`` function: every parameter ``Annotated[type, Param(...)]``
    with a default. The decorated ``run`` checks all its options before calling the body.

    ``command`` is how the ``glassnet`` command runs it (default: ``run <name with dashes>``).
    """

    def decorate(fn: F) -> F:
        hints = typing.get_type_hints(fn, include_extras=True)
        signature = inspect.signature(fn)
        params = tuple(_param_of(n, p, hints[n]) for n, p in signature.parameters.items())
        summary = (inspect.getdoc(fn) or "").split("\n")[0]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> StudyResult:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as err:
                accepted = ", ".join(p.name for p in params)
                raise TypeError(f"study {name!r}: {err}; its options: {accepted}") from None
            options = _DECLARED[name].check(bound.arguments)
            result = fn(**options)
            for p in params:  # the settings table shows every parameter that was used
                if p.setting:
                    value = options[p.name]
                    result.settings.setdefault(p.name, str(value) if p.kind == "path" else value)
            return result

        _DECLARED[name] = Study(
            name, summary, params, title, run, command or f"run {name.replace('_', '-')}"
        )
        return typing.cast(F, run)

    return decorate


def declaration(name: str) -> Study:
    """The declaration of a study (or of ``train``), by name; ValueError for any other name.

    Only the declared modules are ever imported, whatever name a results file carries.
    """
    from glassnet import experiments

    experiments.get(name)  # imports the study's module (which declares it), or refuses the name
    return _DECLARED[name.replace("-", "_")]


def _check_n_jobs(value: int) -> int:
    if value == 0 or value < -1:
        raise ValueError(f"n_jobs must be a positive integer or -1 (all cores), got {value!r}")
    return value


# The worker processes of a study that runs many trainings: it changes the wall time only.
N_JOBS = Param(
    "Worker processes for the runs of the study (-1: all cores); the results do not change.",
    check=_check_n_jobs,
    setting=False,
)
