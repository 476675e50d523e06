"""Model: the structure of a network (its layers, their connections, weights and config).

Three ways to build one, as in Keras:

- ``Sequential([...])``: a stack of layers;
- ``Model(inputs, outputs)``: any graph of layers called on ``glassnet.Input`` tensors;
- ``class MyModel(Model)`` with layers as attributes and a ``call(inputs, training=False)``
  made of layers and ``glassnet.ops``.

All three train through the same trainer (compile, train_step, fit, evaluate, predict) and the
same tape: no model type has a backward pass of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import config
from glassnet.layers.base import Layer, _seed_source, _snake_case
from glassnet.models.trainer import Trainer
from glassnet.tape import array_of, recording


class Model(Trainer, Layer):
    """A network of layers that can be trained: ``Model(inputs, outputs)`` or a subclass."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from glassnet.models.functional import Functional

            return object.__new__(Functional)
        if _functional_arguments(args, kwargs):
            # a subclass of Model built as Model(inputs, outputs), as Keras allows: the graph of
            # a functional model with the subclass's methods (a test_step of its own, …)
            return object.__new__(_functional_subclass(cls))
        return object.__new__(cls)

    def __init__(
        self,
        *args: Any,
        name: str | None = None,
        trainable: bool = True,
        seed: int | np.random.Generator | None = None,
        **kwargs: Any,
    ) -> None:
        """``seed`` (an int or a NumPy Generator) fixes the initial weights of the layers this
        model builds, its shuffles and dropout masks; without it they come from
        ``gn.set_seed``'s generator."""
        if args:
            raise TypeError(
                f"{type(self).__name__}() takes no positional arguments; a functional model is "
                "glassnet.Model(inputs, outputs)"
            )
        Layer.__init__(
            self, name=name or config.unique_name(_snake_case(type(self).__name__)), **kwargs
        )
        self.trainable = trainable
        Trainer.__init__(self)
        self.seed_generator = None if seed is None else config.make_rng(seed)

    # -- structure ---------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers, in the order they were assigned (Keras order)."""
        return list(self._sublayers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by position in ``layers``."""
        if index is not None:
            layers = self.layers
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"model {self.name!r} has {len(layers)} layers; index {index} is out of range"
                )
            return layers[index]
        for layer in [*self.layers, *self.iter_layers()]:
            if layer.name == name:
                return layer
        names = ", ".join(repr(layer.name) for layer in self.layers)
        raise ValueError(f"model {self.name!r} has no layer named {name!r}; its layers: {names}")

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if type(inputs) is np.ndarray and recording() is None and self.built:
            inputs = inputs.astype(self.dtype, copy=False)  # no silent upcast of the weights
        if self.seed_generator is None:
            return Layer.__call__(self, inputs, *args, **kwargs)
        token = _seed_source.set(self.seed_generator)
        try:
            return Layer.__call__(self, inputs, *args, **kwargs)
        finally:
            _seed_source.reset(token)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own ``build(input_shape)`` runs once, before its first call (as in
        Keras), and marks the model built."""
        super().__init_subclass__(**kwargs)
        own_build = cls.__dict__.get("build")
        if own_build is None or cls.__module__.startswith("glassnet."):
            return

        @functools.wraps(own_build)
        def build(self: Model, input_shape: Any) -> None:
            if getattr(self, "_own_build_done", False):
                return
            token = _seed_source.set(self.seed_generator or _seed_source.get())
            try:
                self.build_rng = config.make_rng(self.seed_generator or _seed_source.get())
                own_build(self, input_shape)
            finally:
                _seed_source.reset(token)
            self._own_build_done = True
            self.built = True
            self.build_input_shape = input_shape

        cls.build = build  # type: ignore[method-assign]
        cls._has_own_build = True

    _has_own_build = False

    def _build_for(self, input_shape: Any) -> None:
        # a model is built by its first call: its layers build themselves as they are called
        if self.built:
            return
        if self._has_own_build:
            self.build(input_shape)
        self.built = True
        self.build_input_shape = input_shape

    def build(self, input_shape: Any) -> None:
        """Create the weights by calling the model once on zeros of ``input_shape``
        (``(None, 784)``, or a list of shapes for several inputs)."""
        self._probe(input_shape)

    def _probe(self, input_shape: Any) -> None:
        """Call the model once on zeros of ``input_shape``: builds it, and tells its output
        shapes."""
        multi = isinstance(input_shape, list)
        shapes = input_shape if multi else [input_shape]
        zeros = [np.zeros((1, *tuple(s)[1:]), dtype=config.floatx()) for s in shapes]
        self._note_output_shapes(self(zeros if multi else zeros[0], training=False))

    def _note_output_shapes(self, out: Any) -> None:
        """Remember the output shapes of a model without symbolic outputs (a subclassed one)."""
        if not getattr(self, "outputs", None):
            outs = list(out) if isinstance(out, (list, tuple)) else [out]
            self._output_shapes = [(None, *np.shape(array_of(o))[1:]) for o in outs]

    @property
    def input_shape(self) -> Any:
        shape = self.build_input_shape
        if shape is None:
            raise AttributeError(f"model {self.name!r} is not built yet, so it has no input shape")
        return shape

    def count_params(self) -> int:
        """Total number of parameters (weights and biases)."""
        self._require_built("count_params")
        return int(sum(w.value.size for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight, in order (for each Dense: kernel, then bias)."""
        return [w.value.copy() for w in self.weights]

    def set_weights(self, weights: Any) -> None:
        """Set every weight from a list shaped like ``get_weights()``."""
        from glassnet.layers.base import set_variables

        self._require_built("set_weights")
        set_variables(self.weights, weights, f"model {self.name!r}")

    def _require_built(self, method: str) -> None:
        if not self.built:
            raise ValueError(
                f"model {self.name!r} is not built yet, so {method}() has nothing to work on: "
                "give the first layer an input_shape, or call fit/build first"
            )

    # -- summary -----------------------------------------------------------------------------
    def summary(self, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print the layers, their output shapes and parameter counts, as Keras does."""
        from glassnet.models.summary import summary_text

        (print_fn or print)(summary_text(self))

    def _repr_html_(self) -> str:
        from html import escape

        from glassnet.models.summary import summary_text

        return f"<pre>{escape(summary_text(self))}</pre>"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self.layers)} layers>"

    # -- inside views and persistence ----------------------------------------------------------
    def explain(self, x: Any, y: Any) -> Any:
        """Every number of one training step on (x, y), with its formula; the model is unchanged.

        >>> print(model.explain(x[:4], y[:4]))  # doctest: +SKIP
        """
        from glassnet.explain import explain

        return explain(self, x, y)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Any:
        """A model from ``get_config``'s data; ``Model.from_config`` of a functional model's
        config rebuilds its graph, as in Keras."""
        from glassnet.serialization import custom_object_scope

        with custom_object_scope(custom_objects):
            if cls is Model and "calls" in config and "layers" in config:
                from glassnet.models.functional import Functional

                return Functional.from_config(config)
            return cls(**config)

    def save(self, filepath: str | Path) -> None:
        """Save architecture, weights, optimizer state and random state to one file.

        The file is a NumPy ``.npz`` archive of plain arrays and JSON: loading it never
        unpickles. The write is atomic: an interrupted save leaves any earlier file intact.
        """
        from glassnet.saving import save_model

        save_model(self, filepath)

    def save_weights(self, filepath: str | Path) -> None:
        """Save only the weights (plain arrays in one .npz file; loading never unpickles)."""
        from glassnet.saving import save_weights

        save_weights(self, filepath)

    def load_weights(self, filepath: str | Path) -> None:
        """Load weights saved by ``save_weights`` from a model of the same architecture."""
        from glassnet.saving import load_weights

        load_weights(self, filepath)

    def to_json(self) -> str:
        """The architecture as JSON, for ``glassnet.models.model_from_json``."""
        from glassnet.saving import model_to_json

        return model_to_json(self)


def _functional_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Are these a functional model's (inputs, outputs): symbolic tensors from Input?"""
    from glassnet.symbolic import is_symbolic

    inputs = args[0] if args else kwargs.get("inputs")
    outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
    if inputs is None or outputs is None:
        return False
    first = (
        next(iter(inputs.values() if isinstance(inputs, dict) else inputs), None)
        if isinstance(inputs, (list, tuple, dict))
        else inputs
    )
    return first is not None and is_symbolic(first)


_functional_subclasses: dict[type, type] = {}


def _functional_subclass(cls: type) -> type:
    """``cls`` with the functional model's graph behind it (made once per class)."""
    from glassnet.models.functional import Functional

    if issubclass(cls, Functional):
        return cls
    if cls not in _functional_subclasses:
        _functional_subclasses[cls] = type(
            cls.__name__, (cls, Functional), {"__module__": cls.__module__}
        )
    return _functional_subclasses[cls]
