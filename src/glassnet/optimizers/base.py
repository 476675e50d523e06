"""The optimizer base class: learning rate (a number or a schedule), gradient clipping, weight
decay, per-parameter state and the step counter, as Keras 3's base optimizer.

One step, ``apply(params, grads)``, does what Keras's does, in its order:

1. the learning rate of this step: lr = schedule(t) with t the updates applied so far (a number
   is its own schedule);
2. the gradients are clipped: ``clipnorm`` c: g ← g·c / max(‖g‖, c) for each gradient;
   ``global_clipnorm`` c: g ← g·c·min(1/‖G‖, 1/c) with ‖G‖ the norm of all gradients together;
   ``clipvalue`` c: g ← clip(g, −c, c);
3. weight decay λ: w ← w − lr·λ·w, before the update (computed as w·(1 − lr·λ), as Keras's
   PyTorch backend does);
4. the optimizer's own rule, ``update(i, param, grad)``, in place, for every parameter.

State (momentum, running averages) is kept per parameter, by the parameter's position in the
list passed to ``apply``.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from glassnet.optimizers import schedules
from glassnet.utils import check_number


def _takes_step(fn: Callable[..., Any]) -> bool:
    """Whether a learning-rate callable wants the step (a schedule, ``f(step)``) or nothing
    (Keras's ``f()``)."""
    if isinstance(fn, schedules.LearningRateSchedule):
        return True
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.VAR_POSITIONAL,
    )
    return any(p.kind in positional for p in parameters)


class Optimizer:
    """Base class. Subclasses implement ``update(i, param, grad)`` for one parameter, reading the
    step's learning rate from ``self.current_learning_rate``.

    Args:
        learning_rate: a number > 0, a ``schedules.LearningRateSchedule``, or a callable of the
            step (or of nothing, as Keras's) giving the rate.
        weight_decay: λ ≥ 0; each step first shrinks every weight: w ← w − lr·λ·w.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to [−clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this global L2 norm.
        name: the optimizer's name (default: its registered name).

    At most one of clipnorm, clipvalue and global_clipnorm may be given, as in Keras.
    """

    name = "optimizer"
    slot_names: tuple[str, ...] = ()
    scratch_count = 1  # working buffers per parameter that ``update`` may use

    def __init__(
        self,
        learning_rate: Any = 0.01,
        *,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
    ) -> None:
        cls = type(self).__name__
        self._schedule: Callable[..., Any] | None = None
        self._lr = 0.0
        self.learning_rate = learning_rate
        self.current_learning_rate = 0.0 if self._schedule is not None else self._lr
        self.iterations = 0  # number of updates applied so far
        given = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in given.values()) > 1:
            set_ = ", ".join(f"{k}={v!r}" for k, v in given.items() if v is not None)
            raise ValueError(
                f"{cls}: only one of clipnorm, clipvalue and global_clipnorm can be set, got {set_}"
            )
        checked = {
            k: None if v is None else check_number(f"{cls} {k}", v, low=0.0)
            for k, v in given.items()
        }
        self.clipnorm = checked["clipnorm"]
        self.clipvalue = checked["clipvalue"]
        self.global_clipnorm = checked["global_clipnorm"]
        # as Keras, a clip of 0 is no clipping
        self._clip = next((k for k, v in checked.items() if v), None)
        self.weight_decay = (
            None if weight_decay is None else check_number(f"{cls} weight_decay", weight_decay, 0.0)
        )
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"{cls} name must be a non-empty string, got {name!r}")
        self.name = name if name is not None else type(self).name
        self.slots: dict[str, list[np.ndarray]] = {s: [] for s in self.slot_names}
        self._scratch: list[np.ndarray] = []
        self._scratch2: list[np.ndarray] = []
        self._clipped: list[np.ndarray] = []
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern[str] | None = None
        self._decays: list[bool] | None = None

    # -- the learning rate ---------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The rate the next update uses: the number, or schedule(iterations)."""
        if self._schedule is None:
            return self._lr
        return self._rate_at(self.iterations)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        cls = type(self).__name__
        if isinstance(value, dict):
            value = schedules.deserialize(value)
        if callable(value):
            self._schedule = value
            self._schedule_takes_step = _takes_step(value)
            return
        if getattr(self, "_schedule", None) is not None:
            raise TypeError(
                f"{cls} was created with a learning-rate schedule "
                f"({self._schedule!r}), so its learning_rate cannot be set to a number "
                f"({value!r}); create the optimizer with a number as learning_rate to set it"
            )
        self._lr = check_number(f"{cls} learning_rate", value, low=0.0, low_open=True)

    @property
    def schedule(self) -> Callable[..., Any] | None:
        """The learning-rate schedule (or callable), or None when the rate is a number."""
        return self._schedule

    def _rate_at(self, step: int) -> float:
        """schedule(step), or an error unless it is a finite number ≥ 0."""
        assert self._schedule is not None
        raw = self._schedule(step) if self._schedule_takes_step else self._schedule()
        try:
            rate = float(raw)
        except (TypeError, ValueError):
            rate = math.nan
        if not 0.0 <= rate < math.inf:
            raise ValueError(
                f"{type(self).__name__}: the learning-rate schedule {self._schedule!r} gave "
                f"{raw!r} at step {step}; a learning rate must be a finite number >= 0"
            )
        return rate

    # -- one step ------------------------------------------------------------------------------
    def build(self, params: list[np.ndarray]) -> None:
        """Create the state of every parameter (zeros, unless ``initial_slot`` says otherwise)."""
        for s in self.slot_names:
            self.slots[s] = [self.initial_slot(s, p) for p in params]

    def initial_slot(self, slot: str, param: np.ndarray) -> np.ndarray:
        return np.zeros_like(param)

    def apply(
        self,
        params: list[np.ndarray],
        grads: list[np.ndarray],
        names: Sequence[str] | None = None,
    ) -> None:
        """One step: update every parameter in place from its gradient.

        ``names`` (the weights' names, e.g. "kernel") are only read by
        ``exclude_from_weight_decay(var_names=...)``.
        """
        if self.slot_names and not self.slots[self.slot_names[0]]:
            self.build(params)
        if len(self._scratch) != len(params):
            # working buffers per parameter, reused at every step: no allocation per batch
            self._scratch = [np.empty_like(p) for p in params]
            self._scratch2 = [np.empty_like(p) for p in params] if self.scratch_count > 1 else []
            self._decays = None
        lr = self._lr if self._schedule is None else self._rate_at(self.iterations)
        self.current_learning_rate = lr
        if self._clip is not None:
            grads = self._clip_gradients(grads)
        if self.weight_decay:
            self._apply_weight_decay(params, lr, names)
        self.before_update()
        self.iterations += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self.update(i, p, g)

    def before_update(self) -> None:
        """Per-step scalars (bias corrections) computed once before the parameters' updates."""

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def _clip_gradients(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """The clipped gradients, in buffers of their own (the gradients are left as they are)."""
        if len(self._clipped) != len(grads) or any(
            c.shape != g.shape for c, g in zip(self._clipped, grads, strict=True)
        ):
            self._clipped = [np.empty_like(g) for g in grads]
        out = self._clipped
        if self._clip == "clipnorm":
            c = self.clipnorm
            assert c is not None
            for g, o in zip(grads, out, strict=True):
                norm = math.sqrt(float(np.vdot(g, g)))
                np.multiply(g, g.dtype.type(c), out=o)
                o /= g.dtype.type(max(norm, c))  # g·c / max(‖g‖, c)
        elif self._clip == "global_clipnorm":
            c = self.global_clipnorm
            assert c is not None
            norm = math.sqrt(math.fsum(float(np.vdot(g, g)) for g in grads))
            inverse = 1.0 / norm if norm > 0 else math.inf
            # as Keras: a NaN or infinite norm makes the scale NaN
            scale = c * min(inverse, 1.0 / c) + (norm - norm)
            for g, o in zip(grads, out, strict=True):
                np.multiply(g, g.dtype.type(scale), out=o)  # g·c·min(1/‖G‖, 1/c)
        else:
            c = self.clipvalue
            assert c is not None
            for g, o in zip(grads, out, strict=True):
                np.clip(g, -c, c, out=o)
        return out

    # -- weight decay --------------------------------------------------------------------------
    def exclude_from_weight_decay(
        self, var_list: Sequence[Any] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Leave some weights out of weight decay, as Keras's: the weights of ``var_list``
        (glassnet Variables or the arrays themselves), and every weight whose name contains a
        match of one of the regular expressions ``var_names`` (e.g. ``["bias"]``)."""
        self._exclude_ids = {id(getattr(v, "value", v)) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(sorted(set(var_names)))) if var_names else None
        self._decays = None

    def _apply_weight_decay(
        self, params: list[np.ndarray], lr: float, names: Sequence[str] | None
    ) -> None:
        if self._decays is None:
            if self._exclude_pattern is not None and names is None:
                raise ValueError(
                    f"{type(self).__name__}.exclude_from_weight_decay(var_names=...) matches the "
                    "weights' names, but apply() was given none: pass names=[...]"
                )
            self._decays = [
                id(p) not in self._exclude_ids
                and (
                    self._exclude_pattern is None
                    or names is None
                    or self._exclude_pattern.search(names[i]) is None
                )
                for i, p in enumerate(params)
            ]
        assert self.weight_decay is not None
        keep = 1.0 - self.weight_decay * lr
        for p, decays in zip(params, self._decays, strict=True):
            if decays:
                p *= p.dtype.type(keep)  # w ← w − lr·λ·w

    # -- what explain() shows ------------------------------------------------------------------
    def update_formulas(self, p: str) -> list[tuple[str, str, str]]:
        """The update of parameter ``p`` as data, for explain(): (state name or "" for the
        parameter itself, symbol, formula), in the order they are computed; the gradient is
        written ∂L/∂p."""
        return [("", p, f"{p} − {self.current_learning_rate:g}·∂L/∂{p}")]

    def explain_scalars(self) -> list[tuple[str, str, str, float, str]]:
        """The step's scalars, for explain(): (key, symbol, formula, value, note)."""
        if self._schedule is None:
            return []
        return [
            (
                "learning_rate",
                "lr",
                f"schedule({self.iterations - 1})",
                self.current_learning_rate,
                "the learning rate of this step, from the schedule",
            )
        ]

    def explain_update(self, p: str, i: int) -> list[tuple[str, str, str, np.ndarray | None]]:
        """The update of parameter ``p`` (position i) after a step, for explain(): (key suffix,
        symbol, formula, value); value None is the parameter's new value."""
        rows: list[tuple[str, str, str, np.ndarray | None]] = []
        formulas = self.update_formulas(p)
        if self._clip is not None:
            clipped, c = f"ĝ({p})", f"{getattr(self, self._clip):g}"
            formula = {
                "clipnorm": f"∂L/∂{p}·{c} / max(‖∂L/∂{p}‖, {c})",
                "global_clipnorm": f"∂L/∂{p}·{c}·min(1/‖G‖, 1/{c})",
                "clipvalue": f"clip(∂L/∂{p}, −{c}, {c})",
            }[self._clip]
            rows.append(("clipped_grad", clipped, formula, self._clipped[i]))
            formulas = [(s, y, f.replace(f"∂L/∂{p}", clipped)) for s, y, f in formulas]
        decays = self.weight_decay and (self._decays is None or self._decays[i])
        for slot, symbol, formula in formulas:
            if slot:
                rows.append((slot, symbol, formula, self.slots[slot][i]))
                continue
            if decays and formula.startswith(p):
                lr, wd = self.current_learning_rate, self.weight_decay
                formula = f"(1 − {lr:g}·{wd:g})·{p}{formula[len(p) :]}"
            rows.append(("new", symbol, formula, None))
        return rows

    # -- configuration and state ---------------------------------------------------------------
    def _learning_rate_config(self) -> Any:
        if self._schedule is None:
            return self._lr
        if isinstance(self._schedule, schedules.LearningRateSchedule):
            return schedules.serialize(self._schedule)
        return self._schedule

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (a schedule as its serialized form), as Keras's."""
        return {
            "name": self.name,
            "learning_rate": self._learning_rate_config(),
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
        }

    def get_state(self) -> tuple[int, dict[str, list[np.ndarray]]]:
        """(iterations, slots): everything needed to continue exactly where training stopped."""
        return self.iterations, {s: [a.copy() for a in v] for s, v in self.slots.items()}

    def check_params(self, params: list[np.ndarray]) -> None:
        """Its state (kept by position) must fit these parameters, and a schedule must give a
        valid rate for the next step, or an error says why not."""
        if self._schedule is not None:
            self._rate_at(self.iterations)
        for name, values in self.slots.items():
            shapes, expected = [p.shape for p in params], [v.shape for v in values]
            if values and shapes != expected:
                raise ValueError(
                    f"{type(self).__name__} keeps its {name} for {len(expected)} parameters of "
                    f"shapes {expected}, but the model now trains {len(shapes)} of shapes "
                    f"{shapes}: the trainable weights changed (a layer was frozen or unfrozen) "
                    "since training began; call model.compile(...) again"
                )

    def set_state(self, iterations: int, slots: dict[str, list[np.ndarray]]) -> None:
        self.iterations = int(iterations)
        self.slots = {s: [np.array(a) for a in slots.get(s, [])] for s in self.slot_names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
