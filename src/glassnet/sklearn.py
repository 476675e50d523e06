"""scikit-learn estimators backed by glassnet: ``GlassnetClassifier`` and ``GlassnetRegressor``.

Each is a multi-layer perceptron built, trained and used through glassnet's own Keras-style API
(``Sequential``, ``layers.Dense``, ``compile``, ``fit``, ``predict``), behind scikit-learn's
estimator contract, so that it works in ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``:

    hidden layers   A⁽ˡ⁾ = g(A⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾),  l = 1 … L−1,  A⁽⁰⁾ = X
    classifier      P = softmax(A⁽ᴸ⁻¹⁾·W⁽ᴸ⁾ + b⁽ᴸ⁾),  L = −(1/n) Σᵢ log P[i, yᵢ]
    regressor       Ŷ = A⁽ᴸ⁻¹⁾·W⁽ᴸ⁾ + b⁽ᴸ⁾,           L = (1/(n·k)) Σᵢ Σⱼ (Ŷᵢⱼ − Yᵢⱼ)²

The hyper-parameters use Keras's words, as glassnet does (``epochs``, ``learning_rate``,
``patience``); scikit-learn's ``MLPClassifier`` calls them ``max_iter``, ``learning_rate_init``
and ``n_iter_no_change``. As scikit-learn requires, the constructor stores them unchanged and
``fit`` validates them. The network computes in the float type of X, as scikit-learn's MLP
does: float32 data trains a float32 network, any other data a float64 one.

>>> from sklearn.datasets import load_iris
>>> from glassnet.sklearn import GlassnetClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = GlassnetClassifier((16,), epochs=100, random_state=0).fit(X, y)
>>> clf.predict_proba(X[:1]).shape
(1, 3)
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from glassnet import activations, callbacks, config, layers, models, optimizers

__all__ = ["GlassnetClassifier", "GlassnetRegressor"]

# scikit-learn's MLP names for activations glassnet calls otherwise ("identity" is a glassnet
# alias already), so that code and grids written for MLPClassifier keep working.
_SKLEARN_ACTIVATION_NAMES = {"logistic": "sigmoid"}

# scikit-learn's MLP names for hyper-parameters glassnet calls by Keras's words: an error for one
# of them says which word to use.
_SKLEARN_PARAMETER_NAMES = {
    "max_iter": "epochs",
    "learning_rate_init": "learning_rate",
    "n_iter_no_change": "patience",
    "solver": "optimizer",
}

# batch_size="auto" is min(_AUTO_BATCH_SIZE, n_samples), as in scikit-learn's MLP.
_AUTO_BATCH_SIZE = 200

# The float type of the network follows X, as in scikit-learn's MLP: float32 data trains a float32
# network (glassnet's default type, faster), anything else a float64 one. Not glassnet's floatx:
# in float32 a sample's output can change by a rounding step (~1e-7) with its position in the
# batch (BLAS kernels), and scikit-learn expects predictions independent of the samples' order
# to 1e-9.
_FLOAT_TYPES = (np.float64, np.float32)

# Rows per forward pass in predict: bounds memory, and does not change the results.
_PREDICT_BATCH_SIZE = 1024


@dataclass(frozen=True)
class _Settings:
    """The hyper-parameters, validated and resolved to glassnet objects."""

    hidden_layer_sizes: tuple[int, ...]
    activation: activations.Activation
    optimizer: optimizers.Optimizer
    batch_size: int | None  # None: "auto"
    epochs: int
    early_stopping: bool
    validation_fraction: float
    patience: int
    verbose: int


class _ValidationScore(callbacks.Callback):
    """Adds the estimator's score on the held-out samples to each epoch's logs, as "val_score".

    The score is scikit-learn's: accuracy for the classifier, R² for the regressor.
    """

    def __init__(
        self, x: np.ndarray, y: np.ndarray, score: Callable[[np.ndarray, np.ndarray], float]
    ) -> None:
        super().__init__()
        self.x, self.y, self.score = x, y, score

    def on_epoch_end(self, epoch: int, logs: callbacks.Logs | None = None) -> None:
        assert self.model is not None
        if logs is not None:
            outputs = self.model.predict(self.x, batch_size=_PREDICT_BATCH_SIZE, verbose=0)
            logs["val_score"] = float(self.score(self.y, outputs))


class _GlassnetMLP(BaseEstimator):
    """What the classifier and the regressor share: hyper-parameters, network, training loop.

    Subclasses turn y into the network's targets and say which output layer and loss to use.
    """

    def __new__(cls, *args: Any, **params: Any) -> Any:
        """Refuse unknown arguments in the estimator's own public names (Python's TypeError would
        name this shared base class), saying glassnet's word for scikit-learn's MLP names."""
        if len(args) > 2:
            raise TypeError(
                f"{cls.__name__} takes at most 2 positional arguments (hidden_layer_sizes, "
                f"activation), got {len(args)}: give the others by name"
            )
        for name in params:
            if name not in cls._get_param_names():
                raise TypeError(cls._unknown_parameter(name))
        return super().__new__(cls)

    @classmethod
    def _unknown_parameter(cls, name: str) -> str:
        """The message for a parameter the estimator does not have."""
        if name in _SKLEARN_PARAMETER_NAMES:
            word = _SKLEARN_PARAMETER_NAMES[name]
            return (
                f"{cls.__name__} has no parameter {name!r} (scikit-learn's MLP name): it is "
                f"called {word!r} here, Keras's word, as in {cls.__name__}({word}=…)"
            )
        return (
            f"{cls.__name__} has no parameter {name!r}; its parameters are: "
            f"{', '.join(cls._get_param_names())}"
        )

    def set_params(self, **params: Any) -> Any:
        """Set hyper-parameters by name, as scikit-learn's ``set_params`` (``estimator__name``
        for a nested estimator's); an unknown name is a ValueError in the estimator's terms."""
        for name in params:
            if "__" not in name and name not in self._get_param_names():
                raise ValueError(self._unknown_parameter(name))
        return super().set_params(**params)

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        optimizer: Any = "adam",
        learning_rate: float = 0.001,
        batch_size: int | str = 32,
        epochs: int = 200,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 10,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose

    # -- hyper-parameters -----------------------------------------------------------------------
    def _invalid(self, name: str, expected: str) -> ValueError:
        """The error for a hyper-parameter: which one, what it must be, what it was."""
        return ValueError(
            f"{type(self).__name__}: {name} must be {expected}, got {getattr(self, name)!r}"
        )

    def _check_hyperparameters(self) -> _Settings:
        """Validate every hyper-parameter and resolve the names to glassnet objects.

        Every invalid value raises ValueError (as scikit-learn's InvalidParameterError is one),
        naming the parameter, what it must be and what it was.
        """
        name = type(self).__name__
        sizes = self.hidden_layer_sizes
        if _is_int(sizes):
            sizes = (sizes,)
        if (
            isinstance(sizes, (str, bytes))
            or not hasattr(sizes, "__iter__")
            or not all(_is_int(s) and s > 0 for s in sizes)
        ):
            raise self._invalid(
                "hidden_layer_sizes",
                "a tuple of positive integers, the neurons of each hidden layer, such as (100,) "
                "or (64, 32)",
            )
        activation = self.activation
        if isinstance(activation, str):
            activation = _SKLEARN_ACTIVATION_NAMES.get(activation.lower(), activation)
        try:
            hidden_activation = activations.get(activation)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name}: activation: {err}") from None
        if not _is_number(self.learning_rate) or not 0 < self.learning_rate < math.inf:
            raise self._invalid("learning_rate", "a finite number > 0")
        try:
            rule = optimizers.get(self.optimizer)
            # A fresh optimizer every fit, with this learning rate: an Optimizer object passed
            # as a hyper-parameter is never updated, and keeps its other settings.
            optimizer = type(rule)(
                **{**rule.get_config(), "learning_rate": float(self.learning_rate)}
            )
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name}: optimizer: {err}") from None
        if self.batch_size != "auto" and not (_is_int(self.batch_size) and self.batch_size > 0):
            raise self._invalid("batch_size", 'a positive integer or "auto"')
        if not (_is_int(self.epochs) and self.epochs > 0):
            raise self._invalid("epochs", "a positive integer")
        if not isinstance(self.early_stopping, (bool, np.bool_)):
            raise self._invalid("early_stopping", "True or False")
        if not _is_number(self.validation_fraction) or not 0 < self.validation_fraction < 1:
            raise self._invalid("validation_fraction", "a number in the open interval (0, 1)")
        if not (_is_int(self.patience) and self.patience > 0):
            raise self._invalid("patience", "a positive integer (epochs without improvement)")
        if self.verbose not in (0, 1, 2) or isinstance(self.verbose, float):
            raise self._invalid(
                "verbose", "0 (silent), 1 (a progress bar per epoch) or 2 (a line per epoch)"
            )
        return _Settings(
            hidden_layer_sizes=tuple(int(s) for s in sizes),
            activation=hidden_activation,
            optimizer=optimizer,
            batch_size=None if self.batch_size == "auto" else int(self.batch_size),
            epochs=int(self.epochs),
            early_stopping=bool(self.early_stopping),
            validation_fraction=float(self.validation_fraction),
            patience=int(self.patience),
            verbose=int(self.verbose),
        )

    def _generator(self) -> np.random.Generator:
        """The one generator a fit draws from: initial weights, validation split, shuffles.

        None: a child of glassnet's default generator, so ``gn.set_seed`` makes fits repeatable;
        an int: ``np.random.default_rng(random_state)``, leaving glassnet's global state alone;
        a NumPy ``Generator`` or ``RandomState``: draws from it, so successive fits differ.
        """
        state = self.random_state
        if isinstance(state, np.random.RandomState):
            return np.random.default_rng(state.randint(0, 2**32, dtype=np.int64))
        if state is None or isinstance(state, np.random.Generator) or _is_int(state):
            try:
                return config.make_rng(state)
            except ValueError:
                pass  # a negative int: reported below
        raise self._invalid(
            "random_state", "None, a non-negative integer, or a numpy Generator or RandomState"
        )

    # -- training ---------------------------------------------------------------------------
    def _fit_network(
        self,
        x: np.ndarray,
        targets: np.ndarray,
        settings: _Settings,
        n_outputs: int,
        output_activation: str,
        loss: str,
        score: Callable[[np.ndarray, np.ndarray], float],
        stratify: bool,
    ) -> None:
        """Build the network, train it with ``Sequential.fit`` and set the fitted attributes.

        With ``early_stopping``, a ``validation_fraction`` of the samples is held out
        (stratified by class when every class can appear on both sides), and Keras's
        ``EarlyStopping(monitor="val_loss", restore_best_weights=True)`` stops training after
        ``patience`` epochs without a lower validation loss, keeping the best epoch's weights.
        """
        rng = self._generator()
        # Layers take their float type from glassnet's floatx when they are built (they have
        # no dtype argument yet), so it is set to X's type for the build only.
        with config.floatx_scope(str(x.dtype)):
            model = _build_network(
                x.shape[1],
                settings.hidden_layer_sizes,
                settings.activation,
                n_outputs,
                output_activation,
                rng,
                name=type(self).__name__,
            )
        model.compile(optimizer=settings.optimizer, loss=loss)

        fit_callbacks: list[callbacks.Callback] = []
        validation_data = None
        if settings.early_stopping:
            x, x_val, targets, y_val = train_test_split(
                x,
                targets,
                test_size=settings.validation_fraction,
                random_state=int(rng.integers(2**32)),
                stratify=targets if stratify and _can_stratify(targets, settings) else None,
            )
            validation_data = (x_val, y_val)
            fit_callbacks = [
                _ValidationScore(x_val, y_val, score),
                callbacks.EarlyStopping(
                    monitor="val_loss", patience=settings.patience, restore_best_weights=True
                ),
            ]
        batch_size = settings.batch_size or min(_AUTO_BATCH_SIZE, len(x))
        history = model.fit(
            x,
            targets,
            batch_size=batch_size,
            epochs=settings.epochs,
            verbose=settings.verbose,
            callbacks=fit_callbacks,
            validation_data=validation_data,
        )

        self.model_ = model
        self.n_iter_ = len(history.epoch)
        self.loss_curve_ = list(history.history.get("loss", []))
        if settings.early_stopping:
            self.validation_loss_curve_: list[float] | None = list(
                history.history.get("val_loss", [])
            )
            self.validation_scores_: list[float] | None = list(history.history.get("val_score", []))
            self.best_validation_score_: float | None = max(
                (s for s in self.validation_scores_ if not math.isnan(s)), default=None
            )
            self.best_loss_: float | None = None
        else:
            self.validation_loss_curve_ = None
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_, default=None)

    def _network_outputs(self, X: Any) -> np.ndarray:
        """The network's outputs for X, after scikit-learn's checks, in the network's float type."""
        check_is_fitted(self)
        x = validate_data(self, X, reset=False, dtype=self.model_.dtype)
        return self.model_.predict(x, batch_size=_PREDICT_BATCH_SIZE, verbose=0)


# The estimators' signature is that of __init__ (the parameters), not __new__'s (*args, **params)
# that only reports unknown names: scikit-learn's checks and help() read it.
_GlassnetMLP.__signature__ = inspect.signature(_GlassnetMLP.__init__).replace(
    parameters=list(inspect.signature(_GlassnetMLP.__init__).parameters.values())[1:]
)


class GlassnetClassifier(ClassifierMixin, _GlassnetMLP):
    """A multi-layer perceptron classifier trained by glassnet, for scikit-learn.

    Hidden layers A⁽ˡ⁾ = g(A⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾), a softmax output P = softmax(Z⁽ᴸ⁾) with one unit
    per class (also for two classes), trained on the sparse categorical cross-entropy
    L = −(1/n) Σᵢ log P[i, yᵢ]. Labels may be of any type (strings, integers, …): they are
    encoded with ``LabelEncoder`` and predictions are returned in the original labels.

    Args:
        hidden_layer_sizes: neurons of each hidden layer, e.g. ``(64, 32)``; an int means one
            layer; ``()`` gives multinomial logistic regression.
        activation: the hidden layers' g: a glassnet name ("relu", "tanh", "sigmoid",
            "leaky_relu", "linear"; scikit-learn's "logistic" and "identity" also work) or a
            ``glassnet.activations.Activation``.
        optimizer: "adam", "rmsprop", "sgd", or a ``glassnet.optimizers.Optimizer`` whose other
            settings (momentum, β₁, …) are kept; it is copied, never updated.
        learning_rate: the step size of the optimizer (replaces an Optimizer object's own).
        batch_size: samples per gradient step; "auto" is min(200, n_samples), as in
            scikit-learn's MLP (the default 32 is Keras's).
        epochs: passes over the training data (scikit-learn's MLP calls this ``max_iter``).
            Without early stopping, every epoch runs.
        early_stopping: hold out ``validation_fraction`` of the samples (stratified), stop when
            the validation loss has not decreased for ``patience`` epochs, and keep the
            weights of the epoch with the lowest validation loss (Keras's ``EarlyStopping``
            with ``restore_best_weights=True``).
        validation_fraction: the held-out fraction, in (0, 1).
        patience: epochs without improvement before stopping (``n_iter_no_change``).
        random_state: the source of the initial weights, the shuffles and the validation
            split. An int seeds a generator of the fit's own (glassnet's global generator is
            left alone); None draws from glassnet's default generator, so ``gn.set_seed(n)``
            makes fits repeatable too; a NumPy Generator or RandomState is drawn from.
        verbose: ``Sequential.fit``'s verbose: 0 silent, 1 a progress bar per epoch, 2 a line
            per epoch.

    Attributes:
        classes_: the labels seen in fit, sorted; column j of predict_proba is classes_[j].
        model_: the trained ``glassnet.models.Sequential``, float32 if X was float32, else
            float64; ``predict_proba`` returns that type.
        n_features_in_, feature_names_in_: as in scikit-learn (names only from a DataFrame).
        loss_curve_: the training loss of each epoch (Keras's History "loss").
        n_iter_: the number of epochs run.
        best_loss_: the lowest training loss (None with early stopping).
        validation_loss_curve_, validation_scores_: with early stopping, the validation loss
            and accuracy of each epoch (else None); best_validation_score_ is the highest.

    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = GlassnetClassifier(hidden_layer_sizes=(16,), epochs=100, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    def fit(self, X: Any, y: Any) -> GlassnetClassifier:
        """Train on X (n_samples, n_features) and the labels y (n_samples,). Returns self."""
        settings = self._check_hyperparameters()
        x, y = validate_data(self, X, y, dtype=_FLOAT_TYPES)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        codes = encoder.transform(y)
        self._fit_network(
            x,
            codes,
            settings,
            n_outputs=len(self.classes_),
            output_activation="softmax",
            loss="sparse_categorical_crossentropy",
            score=lambda labels, probabilities: accuracy_score(
                labels, probabilities.argmax(axis=1)
            ),
            stratify=True,
        )
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of each class, P = softmax(Z⁽ᴸ⁾): shape (n_samples, n_classes)."""
        return self._network_outputs(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample, ŷᵢ = classes_[argmaxⱼ P[i, j]]."""
        probabilities = self.predict_proba(X)  # checks first that the classifier is fitted
        return self.classes_[probabilities.argmax(axis=1)]


class GlassnetRegressor(RegressorMixin, _GlassnetMLP):
    """A multi-layer perceptron regressor trained by glassnet, for scikit-learn.

    Hidden layers A⁽ˡ⁾ = g(A⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾), a linear output Ŷ = A⁽ᴸ⁻¹⁾·W⁽ᴸ⁾ + b⁽ᴸ⁾ with one
    unit per target, trained on the mean squared error L = (1/(n·k)) Σᵢ Σⱼ (Ŷᵢⱼ − Yᵢⱼ)².
    y may be 1-D (one target) or 2-D (k targets); ``predict`` returns the same shape as the y
    given to fit. Scale the targets (e.g. ``TransformedTargetRegressor``) when they are large.

    Args: as ``GlassnetClassifier`` (early stopping splits at random, not stratified).

    Attributes:
        n_features_in_, feature_names_in_: as in scikit-learn.
        n_outputs_: the number of targets k.
        model_, loss_curve_, n_iter_, best_loss_: as ``GlassnetClassifier``.
        validation_loss_curve_, validation_scores_, best_validation_score_: with early
            stopping, the validation loss and R² of each epoch, and the highest R² (else None).

    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + 1.0
    >>> reg = GlassnetRegressor((16,), learning_rate=0.01, epochs=100, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.95
    True
    """

    def fit(self, X: Any, y: Any) -> GlassnetRegressor:
        """Train on X (n_samples, n_features) and the targets y, (n_samples,) or (n_samples, k)."""
        settings = self._check_hyperparameters()
        x, y = validate_data(self, X, y, dtype=_FLOAT_TYPES, multi_output=True, y_numeric=True)
        self._y_ndim = y.ndim
        targets = np.asarray(y, dtype=x.dtype).reshape(len(y), -1)
        self.n_outputs_ = targets.shape[1]
        self._fit_network(
            x,
            targets,
            settings,
            n_outputs=self.n_outputs_,
            output_activation="linear",
            loss="mean_squared_error",
            score=_r2_score,
            stratify=False,
        )
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The network's outputs Ŷ: shape (n_samples,) or (n_samples, k), as y was in fit."""
        outputs = self._network_outputs(X)
        return outputs.ravel() if self._y_ndim == 1 else outputs

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _build_network(
    n_features: int,
    hidden_layer_sizes: tuple[int, ...],
    activation: activations.Activation,
    n_outputs: int,
    output_activation: str,
    rng: np.random.Generator,
    name: str,
) -> models.Sequential:
    """Dense layers n_features → hidden_layer_sizes … → n_outputs, weights drawn from ``rng``.

    Weights start as Keras's: Glorot uniform kernels, W ~ U(−√(6/(fan_in + fan_out)), +√…),
    and zero biases. The layers are named "hidden_1", …, "output" rather than numbered from
    glassnet's global name counter.
    """
    model = models.Sequential(name=name, seed=rng)  # weights and shuffles come from rng
    model.add(layers.InputLayer(shape=(n_features,)))
    for i, units in enumerate(hidden_layer_sizes, start=1):
        model.add(layers.Dense(units, activation=activation, name=f"hidden_{i}"))
    model.add(layers.Dense(n_outputs, activation=output_activation, name="output"))
    return model


def _can_stratify(labels: np.ndarray, settings: _Settings) -> bool:
    """Whether a stratified split can put every class on both sides: each class needs two
    samples, and each side at least as many samples as there are classes."""
    counts = np.bincount(labels)
    n_classes = int(np.count_nonzero(counts))
    n_val = math.ceil(settings.validation_fraction * len(labels))
    return bool(counts[counts > 0].min() >= 2 and min(n_val, len(labels) - n_val) >= n_classes)


def _r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """scikit-learn's R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (averaged over targets); NaN, without a
    warning at every epoch, for a single validation sample, where it is undefined."""
    return float(r2_score(y_true, y_pred)) if len(y_true) >= 2 else math.nan


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
