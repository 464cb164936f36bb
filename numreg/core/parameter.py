"""A trainable array and its gradient."""
import numpy as np

from . import checks


class Parameter:
    """A trainable array with its gradient.

    Parameters
    ----------
    data : ndarray
        The values. Kept as given (no copy); the layer that owns it decides
        the dtype.
    name : str, default ""
        Short name inside its layer (``"W"``, ``"b"``); ``Sequential``
        prefixes the layer's index, as in ``"0.W"``.
    regularized : bool, default True
        Whether the norm penalties of §7.1 (and weight decay) act on it. The
        book penalizes "only the weights of the affine transform and leaves
        the biases unregularized": ``Linear`` sets this to True for ``W`` and
        False for ``b``.

    Attributes
    ----------
    data : ndarray
    grad : ndarray
        Same shape and dtype as ``data``. Backward passes *add* into it, as
        PyTorch accumulates into ``.grad``; ``optimizer.zero_grad()`` clears it.
    name : str
    regularized : bool
    """

    __slots__ = ("data", "grad", "name", "regularized")

    def __init__(self, data, name="", regularized=True):
        self.data = checks.float_array("data", data, allow_empty=True)
        self.grad = np.zeros_like(self.data)
        self.name = checks.instance("name", name, str, "a string")
        self.regularized = checks.flag("regularized", regularized)

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    def zero_grad(self):
        """Set ``grad`` to zero in place."""
        self.grad.fill(0)

    def astype(self, dtype):
        """Convert ``data`` and ``grad`` to ``dtype`` in place (no-op if equal)."""
        dtype = checks.float_dtype("dtype", dtype)
        if self.data.dtype != dtype:
            self.data = self.data.astype(dtype)
            self.grad = self.grad.astype(dtype)
        return self

    def __repr__(self):
        kind = "weight" if self.regularized else "bias"
        return f"Parameter(name={self.name!r}, shape={self.data.shape}, dtype={self.data.dtype}, {kind})"
