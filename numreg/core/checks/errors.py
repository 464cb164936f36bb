"""The two kinds of argument error numreg raises, and how a value is shown in a message.

Every check of :mod:`numreg.core.checks` raises a ``ValueError`` (the value
is of the right kind but not allowed: NaN, negative, out of range, wrong
shape) or an :class:`ArgumentTypeError` (the value is of the wrong kind: a
string for a number, an object array for data). ``ArgumentTypeError`` is a
``TypeError`` and also a ``ValueError``, so that code written when numreg
raised ``ValueError`` for both keeps working (numpy's ``AxisError`` is a
``ValueError`` and an ``IndexError`` for the same reason).

Every message names the argument and shows the value: ``alpha must be a
finite number >= 0, got alpha=nan``.
"""
import numpy as np

__all__ = ["ArgumentTypeError", "NonFiniteError", "show", "type_error", "value_error"]

_LONGEST = 80


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type (a ``TypeError``; also a ``ValueError``, see the module's notes)."""


def show(v):
    """A short text for the value ``v`` in an error message: its repr, or a summary of a large array."""
    if isinstance(v, np.ndarray) and v.size > 8:
        return f"<array of shape {v.shape}, dtype {v.dtype}>"
    try:
        text = repr(v)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(v).__name__} object>"
    return text if len(text) <= _LONGEST else text[:_LONGEST - 3] + "..."


def type_error(name, what, v):
    """``ArgumentTypeError("{name} must be {what}, got {name}=<v> (<type>)")``, to be raised."""
    return ArgumentTypeError(f"{name} must be {what}, got {name}={show(v)} ({type(v).__name__})")


def value_error(name, what, v):
    """``ValueError("{name} must be {what}, got {name}=<v>")``, to be raised."""
    return ValueError(f"{name} must be {what}, got {name}={show(v)}")


class NonFiniteError(ValueError, FloatingPointError):
    """A NaN or infinity where a computation needs finite numbers (a model's output, a loss).

    A ``ValueError`` like every argument error, and a ``FloatingPointError``,
    which ``fit`` takes as a diverged run.
    """
