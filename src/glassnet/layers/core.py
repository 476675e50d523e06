"""Core layers, each with its forward and backward pass side by side.

A layer of neurons is a matrix product: Z = X·W + b, A = g(Z), with X of shape (batch, inputs),
the kernel W of shape (inputs, units) and the bias b of shape (units,), as in Keras.
Backpropagation walks the same line in reverse: dZ = dA ⊙ g'(Z), dW = Xᵀ·dZ, db = Σ_batch dZ,
dX = dZ·Wᵀ. The batch mean is taken once, in the loss gradient, so layers only sum.

>>> from glassnet import layers
>>> layers.Dense(512, activation="relu", input_shape=(784,))
Dense(units=512, activation='relu')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import activations as activations_module
from glassnet import config
from glassnet import initializers as initializers_module
from glassnet.layers.base import Layer, Shape, as_shape, constraint_of, regularizer_of
from glassnet.utils import check_number, check_positive_int


def _serialize(module: str, item: Any) -> Any:
    """A regularizer or constraint as JSON data, by its module's ``serialize``."""
    import importlib

    return importlib.import_module(f"glassnet.{module}").serialize(item)


class Dense(Layer):
    """A fully connected layer of ``units`` neurons: Z = X·W + b, A = g(Z).

    Args:
        units: number of neurons (outputs).
        activation: a name ("relu", "sigmoid", …), an Activation, or None for linear.
        use_bias: add the bias vector b.
        kernel_initializer: a name or an Initializer for W (default Glorot uniform).
        bias_initializer: a name or an Initializer for b (default zeros).
        kernel_regularizer, bias_regularizer: a penalty of W or b added to the loss ("l2",
            ``regularizers.L2(1e-4)``, …).
        activity_regularizer: a penalty of the layer's output A, divided by the batch size.
        kernel_constraint, bias_constraint: applied to W or b after each update
            (``constraints.MaxNorm(3)``, …).
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
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.kernel_regularizer = regularizer_of(kernel_regularizer)
        self.bias_regularizer = regularizer_of(bias_regularizer)
        self.kernel_constraint = constraint_of(kernel_constraint)
        self.bias_constraint = constraint_of(bias_constraint)
        self.units = check_positive_int("Dense units", units)
        self.activation = activations_module.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers_module.get(kernel_initializer)
        self.bias_initializer = initializers_module.get(bias_initializer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*input_shape[:-1], self.units)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 2:
            raise ValueError(
                f"Dense {self.name!r} expects inputs of shape (batch, features), got "
                f"(batch, {', '.join(map(str, input_shape[1:]))}); add a Flatten layer first"
            )
        fan_in = input_shape[-1]
        self.kernel = self.add_weight(
            (fan_in, self.units),
            self.kernel_initializer,
            name="kernel",
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                (self.units,),
                self.bias_initializer,
                name="bias",
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        ctx.x = x  # cached for dW = Xᵀ·dZ
        z = x @ self.kernel.value  # Z = X·W
        if self.use_bias:
            z += self.bias.value  # Z = X·W + b
        ctx.z = z  # cached for g′(Z)
        ctx.a = a = self.activation(z)  # A = g(Z); cached for g′(Z) = f(A) (sigmoid, tanh)
        return a

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        ctx.delta = dz = self.activation.backward(grad, ctx.z, ctx.a)  # dZ = dA ⊙ g′(Z)
        return self.backward_from_z(ctx, dz, needs)

    def backward_from_z(self, ctx: Any, dz: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        """Backward from ∂L/∂Z (used directly when the loss is fused with the activation)."""
        dx = dz @ self.kernel.value.T if needs[0] else None  # dX = dZ·Wᵀ
        dw = ctx.x.T @ dz if needs[1] else None  # dW = Xᵀ·dZ
        if not self.use_bias:
            return dx, dw
        db = np.add.reduce(dz, axis=0) if needs[2] else None  # db = Σ_batch dZ
        return dx, dw, db

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(
            units=self.units,
            activation=activations_module.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers_module.serialize(self.kernel_initializer),
            bias_initializer=initializers_module.serialize(self.bias_initializer),
        )
        for key in ("kernel_regularizer", "bias_regularizer"):
            if getattr(self, key) is not None:
                cfg[key] = _serialize("regularizers", getattr(self, key))
        for key in ("kernel_constraint", "bias_constraint"):
            if getattr(self, key) is not None:
                cfg[key] = _serialize("constraints", getattr(self, key))
        return cfg

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Dense:
        cfg = dict(cfg)
        if "activation" in cfg:
            cfg["activation"] = activations_module.deserialize(cfg["activation"])
        for key in ("kernel_initializer", "bias_initializer"):
            if key in cfg:
                cfg[key] = initializers_module.deserialize(cfg[key])
        return cls(**cfg)

    def __repr__(self) -> str:
        return f"Dense(units={self.units}, activation={self.activation.name!r})"


class Activation(Layer):
    """Applies an activation on its own: A = g(Z); backward dZ = dA ⊙ g′(Z)."""

    def __init__(self, activation: str | activations_module.Activation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations_module.get(activation)

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        ctx.z = x  # the pre-activation, cached for g′(Z)
        ctx.a = a = self.activation(x)  # A = g(Z)
        return a

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        ctx.delta = dz = self.activation.backward(grad, ctx.z, ctx.a)  # dZ = dA ⊙ g′(Z)
        return (dz,)

    def backward_from_z(self, ctx: Any, dz: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (dz,)

    def formula(self, inputs: list[str]) -> str:
        return f"{self.activation.name}({inputs[0]})"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return f"∂out ⊙ {self.activation.name}′({inputs[0]})"

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

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = check_number("Dropout rate", rate, low=0.0, high=1.0, high_open=True)
        self.seed = seed
        self.rng = config.make_rng(seed) if seed is not None else None

    def build(self, input_shape: Shape) -> None:
        if self.rng is None:
            self.rng = self._rng()

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            ctx.mask = None
            return x
        if self.rng is None:
            self.rng = config.make_rng(None)
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.rate
        ctx.mask = mask = keep * x.dtype.type(1.0 / (1.0 - self.rate))  # M / (1 − rate)
        return x * mask  # A = X ⊙ M / (1 − rate)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad if ctx.mask is None else grad * ctx.mask,)  # dX = dA ⊙ M / (1 − rate)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(rate=self.rate, seed=self.seed)
        return cfg

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate})"


class Flatten(Layer):
    """Flattens each sample to a vector: (batch, d1, d2, …) → (batch, d1·d2·…)."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        ctx.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad.reshape(ctx.shape),)

    def formula(self, inputs: list[str]) -> str:
        return f"flatten({inputs[0]})"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return f"∂out reshaped to {inputs[0]}'s shape"


class Reshape(Layer):
    """Gives each sample a new shape with the same number of values: (batch, *target_shape)."""

    def __init__(self, target_shape: Shape, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = as_shape(target_shape, "Reshape target_shape")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if int(np.prod(input_shape[1:])) != int(np.prod(self.target_shape)):
            raise ValueError(
                f"Reshape {self.name!r} cannot turn samples of shape {tuple(input_shape[1:])} "
                f"into {self.target_shape}: the number of values differs"
            )
        return (input_shape[0], *self.target_shape)

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        ctx.shape = x.shape
        return x.reshape(len(x), *self.target_shape)

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad.reshape(ctx.shape),)

    def formula(self, inputs: list[str]) -> str:
        return f"reshape({inputs[0]}, {self.target_shape})"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return f"∂out reshaped to {inputs[0]}'s shape"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["target_shape"] = list(self.target_shape)
        return cfg


class Rescaling(Layer):
    """Scales and shifts the inputs: A = X·scale + offset (e.g. scale=1/255 for pixels).

    >>> layer = Rescaling(1 / 255)
    """

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = check_number("Rescaling scale", scale)
        self.offset = check_number("Rescaling offset", offset)

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        t = x.dtype.type if x.dtype.kind == "f" else np.dtype(config.floatx()).type
        return x * t(self.scale) + t(self.offset)  # A = X·scale + offset

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad * grad.dtype.type(self.scale),)  # dX = dA·scale

    def formula(self, inputs: list[str]) -> str:
        return f"{inputs[0]}·{self.scale:g} + {self.offset:g}"

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return f"∂out·{self.scale:g}"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(scale=self.scale, offset=self.offset)
        return cfg


class Identity(Layer):
    """Passes its input through unchanged: A = X; backward dX = dA."""

    def forward(self, ctx: Any, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, ctx: Any, grad: np.ndarray, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (grad,)

    def formula(self, inputs: list[str]) -> str:
        return inputs[0]

    def grad_formula(self, i: int, inputs: list[str]) -> str:
        return "∂out"
