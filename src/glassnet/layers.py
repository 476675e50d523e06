"""Layers: each owns its parameters and their gradients, with forward and backward side by side.

A layer of neurons is a matrix product: Z = X·W + b, A = g(Z), with X of shape (batch, inputs),
the kernel W of shape (inputs, units) and the bias b of shape (units,), as in Keras.
Backpropagation walks the same line in reverse: dZ = dA ⊙ g'(Z), dW = Xᵀ·dZ, db = Σ_batch dZ,
dX = dZ·Wᵀ. The batch mean is taken once, in the loss gradient, so layers only sum.

>>> from glassnet import layers
>>> layers.Dense(512, activation="relu", input_shape=(784,))
Dense(units=512, activation='relu')
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from glassnet import activations as activations_module
from glassnet import config
from glassnet import initializers as initializers_module
from glassnet.utils import check_number, check_positive_int

Shape = tuple[int, ...]


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Layer:
    """Base class. Subclasses implement ``build``, ``forward``, ``backward`` and
    ``compute_output_shape``; trainable ones fill ``params`` and ``grads`` (same order, same
    shapes) in ``build``."""

    def __init__(
        self,
        name: str | None = None,
        input_shape: Shape | None = None,
        input_dim: int | None = None,
    ) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"a layer name must be a non-empty string, got {name!r}")
        self.name = name or config.unique_name(_snake_case(type(self).__name__))
        if input_dim is not None:
            input_shape = (check_positive_int(f"{type(self).__name__} input_dim", input_dim),)
        if input_shape is not None:
            input_shape = _as_shape(input_shape, f"{type(self).__name__} input_shape")
        self.input_shape: Shape | None = input_shape
        self.output_shape: Shape | None = None
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.built = False
        self.trainable = True

    # -- building -------------------------------------------------------------------------
    def build(self, input_shape: Shape, rng: np.random.Generator | None = None) -> None:
        """Create the parameters for inputs of shape ``(batch, *input_shape)``."""
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    # -- the two passes --------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """Given ∂L/∂(output), fill ``grads`` and return ∂L/∂(input) (None if not needed)."""
        raise NotImplementedError

    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.forward(x, training=training)

    # -- weights ---------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Copies of the parameters (for Dense: [kernel, bias])."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Replace the parameters, checking the count and each shape."""
        if not self.built:
            raise ValueError(
                f"layer {self.name!r} has no weights yet: give it an input_shape or build the "
                "model first"
            )
        if not isinstance(weights, (list, tuple)) or len(weights) != len(self.params):
            got = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(
                f"layer {self.name!r} expects a list of {len(self.params)} arrays "
                f"(shapes {[p.shape for p in self.params]}), got {got}"
            )
        arrays = []
        for i, (p, w) in enumerate(zip(self.params, weights, strict=True)):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(
                    f"layer {self.name!r} weight {i} must have shape {p.shape}, got {w.shape}"
                )
            if w.dtype.kind not in "biuf" or not np.isfinite(w).all():
                raise ValueError(
                    f"layer {self.name!r} weight {i} must hold finite numbers, got dtype "
                    f"{w.dtype}" + ("" if w.dtype.kind not in "biuf" else " with NaN/inf")
                )
            arrays.append(w)
        for p, w in zip(self.params, arrays, strict=True):
            p[...] = w  # in place: optimizers and models hold references to these arrays

    def count_params(self) -> int:
        return int(sum(p.size for p in self.params))

    def get_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"name": self.name}
        if self.input_shape is not None:
            cfg["input_shape"] = list(self.input_shape)
        return cfg

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class Dense(Layer):
    """A fully connected layer of ``units`` neurons: Z = X·W + b, A = g(Z).

    Args:
        units: number of neurons (outputs).
        activation: a name ("relu", "sigmoid", …), an Activation, or None for linear.
        use_bias: add the bias vector b.
        kernel_initializer: a name or an Initializer for W (default Glorot uniform).
        bias_initializer: a name or an Initializer for b (default zeros).
        input_shape: the input shape, e.g. (784,), for the first layer of a model.
        input_dim: the same as an int: input_dim=784 means input_shape=(784,).
        name: the layer's name (default "dense", "dense_1", …).

    >>> layer = Dense(2, activation="tanh", input_dim=3)
    """

    def __init__(
        self,
        units: int,
        activation: str | activations_module.Activation | None = None,
        use_bias: bool = True,
        kernel_initializer: str | initializers_module.Initializer = "glorot_uniform",
        bias_initializer: str | initializers_module.Initializer = "zeros",
        input_shape: Shape | None = None,
        input_dim: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, input_shape=input_shape, input_dim=input_dim)
        self.units = check_positive_int("Dense units", units)
        self.activation = activations_module.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers_module.get(kernel_initializer)
        self.bias_initializer = initializers_module.get(bias_initializer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense {self.name!r} expects inputs of shape (batch, features), got "
                f"(batch, {', '.join(map(str, input_shape))}); add a Flatten layer first"
            )
        return (self.units,)

    def build(self, input_shape: Shape, rng: np.random.Generator | None = None) -> None:
        super().build(input_shape, rng)
        fan_in = input_shape[0]
        self.kernel = self.kernel_initializer((fan_in, self.units), config.floatx(), rng)
        self.params = [self.kernel]
        if self.use_bias:
            self.bias = self.bias_initializer((self.units,), config.floatx(), rng)
            self.params.append(self.bias)
        self.grads = [np.zeros_like(p) for p in self.params]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x  # cached for dW = Xᵀ·dZ
        z = x @ self.kernel  # Z = X·W
        if self.use_bias:
            z += self.bias  # Z = X·W + b
        self._z = z  # cached for g'(Z)
        self._a = self.activation(z)  # A = g(Z); cached for g'(Z) = f(A) (sigmoid, tanh)
        return self._a

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        dz = self.activation.backward(grad, self._z, self._a)  # dZ = dA ⊙ g'(Z)
        return self.backward_preactivation(dz, need_input_grad)

    def backward_preactivation(
        self, dz: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """Backward from ∂L/∂Z (used directly when the loss is fused with the activation)."""
        np.matmul(self._x.T, dz, out=self.grads[0])  # dW = Xᵀ·dZ
        if self.use_bias:
            np.add.reduce(dz, axis=0, out=self.grads[1])  # db = Σ_batch dZ
        return dz @ self.kernel.T if need_input_grad else None  # dX = dZ·Wᵀ

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(
            units=self.units,
            activation=activations_module.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers_module.serialize(self.kernel_initializer),
            bias_initializer=initializers_module.serialize(self.bias_initializer),
        )
        return cfg

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Dense:
        cfg = dict(cfg)
        cfg["activation"] = activations_module.deserialize(cfg["activation"])
        cfg["kernel_initializer"] = initializers_module.deserialize(cfg["kernel_initializer"])
        cfg["bias_initializer"] = initializers_module.deserialize(cfg["bias_initializer"])
        return cls(**cfg)

    def __repr__(self) -> str:
        return f"Dense(units={self.units}, activation={self.activation.name!r})"


class Activation(Layer):
    """Applies an activation on its own: A = g(X); backward dX = dA ⊙ g'(X)."""

    def __init__(
        self,
        activation: str | activations_module.Activation,
        input_shape: Shape | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.activation = activations_module.get(activation)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._z = x  # the pre-activation, cached for g'(Z)
        self._a = self.activation(x)  # A = g(Z)
        return self._a

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        return self.activation.backward(grad, self._z, self._a)  # dZ = dA ⊙ g'(Z)

    def backward_preactivation(
        self, dz: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        return dz

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["activation"] = activations_module.serialize(self.activation)
        return cfg

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Activation:
        cfg = dict(cfg)
        cfg["activation"] = activations_module.deserialize(cfg["activation"])
        return cls(**cfg)

    def __repr__(self) -> str:
        return f"Activation({self.activation.name!r})"


class Dropout(Layer):
    """Inverted dropout, active only while training.

    Training: M_ij ~ Bernoulli(1 − rate), A = X ⊙ M / (1 − rate); backward dX = dA ⊙ M / (1 − rate).
    Inference: A = X (the 1/(1 − rate) scaling during training keeps the expected value).
    """

    def __init__(
        self,
        rate: float,
        seed: int | None = None,
        input_shape: Shape | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.rate = check_number("Dropout rate", rate, low=0.0, high=1.0, high_open=True)
        self.seed = seed
        self.rng = config.make_rng(seed) if seed is not None else None
        self._mask: np.ndarray | None = None

    def build(self, input_shape: Shape, rng: np.random.Generator | None = None) -> None:
        super().build(input_shape, rng)
        if self.rng is None:
            self.rng = config.make_rng(rng)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        if self.rng is None:
            self.rng = config.make_rng(None)
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.rate
        self._mask = keep * x.dtype.type(1.0 / (1.0 - self.rate))  # M / (1 − rate)
        return x * self._mask  # A = X ⊙ M / (1 − rate)

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        return grad if self._mask is None else grad * self._mask  # dX = dA ⊙ M / (1 − rate)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(rate=self.rate, seed=self.seed)
        return cfg

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate})"


class Flatten(Layer):
    """Flattens each sample to a vector: (batch, d1, d2, …) → (batch, d1·d2·…)."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (int(np.prod(input_shape)),)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        return grad.reshape(self._shape) if need_input_grad else None


class InputLayer(Layer):
    """Declares the input shape of a model, as ``keras.Input(shape=(784,))`` does: A = X."""

    def __init__(self, shape: Shape, name: str | None = None) -> None:
        super().__init__(name=name or config.unique_name("input_layer"), input_shape=shape)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        return grad

    def get_config(self) -> dict[str, Any]:
        return {"shape": list(self.input_shape or ()), "name": self.name}


def Input(shape: Shape, name: str | None = None) -> InputLayer:  # Keras capitalises this function
    """The first element of a Sequential model that fixes the input shape (Keras style).

    >>> model = Sequential([Input((784,)), Dense(10, activation="softmax")])  # doctest: +SKIP
    """
    return InputLayer(shape, name=name)


def _as_shape(shape: Any, what: str) -> Shape:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not shape:
        raise TypeError(f"{what} must be a tuple of positive integers like (784,), got {shape!r}")
    return tuple(check_positive_int(what, d) for d in shape)


LAYER_CLASSES: dict[str, type[Layer]] = {
    cls.__name__: cls for cls in (InputLayer, Dense, Activation, Dropout, Flatten)
}


def serialize(layer: Layer) -> dict[str, Any]:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(cfg: dict[str, Any]) -> Layer:
    cls = LAYER_CLASSES.get(cfg.get("class_name", ""))
    if cls is None:
        raise ValueError(
            f"unknown layer class {cfg.get('class_name')!r}; known: {', '.join(LAYER_CLASSES)}"
        )
    from_config = getattr(cls, "from_config", None)
    return from_config(cfg["config"]) if from_config else cls(**cfg["config"])
