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

    Notes
    -----
    ``zero_grad()`` does not write the zeros at once: it marks the gradient
    as zero, and the zeros are written when ``.grad`` is next read -- or
    never, when a layer's backward pass writes its whole gradient first
    (:meth:`grad_add_matmul`, :meth:`grad_add_sum`: ``grad = x^T dy`` written
    straight into ``grad`` instead of ``grad.fill(0)`` then ``grad += x^T
    dy``, a temporary and two passes fewer). Reading ``.grad`` always gives
    the right values; only an array kept from *before* ``zero_grad()`` may
    still show the old ones.
    """

    __slots__ = ("data", "_grad", "_grad_is_zero", "name", "regularized")

    def __init__(self, data, name="", regularized=True):
        self.data = checks.float_array("data", data, allow_empty=True)
        self.grad = np.zeros_like(self.data)
        self.name = checks.instance("name", name, str, "a string")
        self.regularized = checks.flag("regularized", regularized)

    @property
    def grad(self):
        """The gradient (zeros written now if ``zero_grad()`` left them pending)."""
        if self._grad_is_zero:
            self._grad.fill(0)
            self._grad_is_zero = False
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value
        self._grad_is_zero = False

    def grad_add_matmul(self, a, b):
        """``grad += a @ b``; written as ``grad = a @ b`` (one product into ``grad``) when ``grad`` is zero.

        The result is the same number either way (``0 + x = x``; only a
        ``-0.0`` of the product may come out as ``+0.0`` when accumulated).

        Parameters
        ----------
        a, b : ndarray
            Factors whose product has ``grad``'s shape (``Linear``: ``x^T`` and ``dy``).
        """
        if self._grad_is_zero:
            np.matmul(a, b, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += a @ b

    def grad_add_sum(self, dy):
        """``grad += dy.sum(axis=0)``; written straight into ``grad`` when ``grad`` is zero.

        Parameters
        ----------
        dy : ndarray, (n,) + grad.shape
            Summed over its first axis (``Linear``: the bias gradient ``sum_n dy``).
        """
        if self._grad_is_zero:
            np.sum(dy, axis=0, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += dy.sum(axis=0)

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
        """Set ``grad`` to zero (the zeros are written when needed, see Notes)."""
        self._grad_is_zero = True

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
