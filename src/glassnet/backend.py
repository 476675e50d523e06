"""Keras's ``backend`` names: the float type, the fuzz factor ε, and clearing the session.

>>> from glassnet import backend
>>> backend.floatx()
'float32'
>>> backend.epsilon()
1e-07
"""

from __future__ import annotations

from glassnet.config import clear_session, epsilon, floatx, set_epsilon, set_floatx

__all__ = ["clear_session", "epsilon", "floatx", "set_epsilon", "set_floatx"]
