"""LambdaCallback: a callback made of functions, without a class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glassnet.callbacks.callback import _ALIASES, HOOKS, Callback

_HOOK_NAMES = frozenset(HOOKS) | frozenset(_ALIASES.values())


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given, called as Keras calls them.

    ``on_epoch_begin``/``on_epoch_end`` get ``(epoch, logs)``; ``on_train_begin``/
    ``on_train_end`` get ``(logs)``; ``on_train_batch_begin``/``on_train_batch_end`` get
    ``batch`` and ``logs=…`` as a keyword. Any other hook (``on_test_end``,
    ``on_predict_batch_end``, the older ``on_batch_end`` …) may be given by name in
    ``**kwargs``. A name that is not a hook, or a value that is not callable, is a TypeError
    (Keras stores any keyword as an attribute).

    >>> print_batch = LambdaCallback(on_train_batch_begin=lambda batch, logs: print(batch))
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Callable[..., Any],
    ) -> None:
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name in kwargs:
            if name not in _HOOK_NAMES:
                accepted = ", ".join(sorted(_HOOK_NAMES))
                raise TypeError(
                    f"LambdaCallback got {name}=…, which is not a callback hook; hooks: {accepted}"
                )
        hooks.update(kwargs)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback {name} must be a function, got {function!r}")
            setattr(self, name, function)
