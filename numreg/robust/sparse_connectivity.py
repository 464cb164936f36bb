"""Sparse, local connectivity in the first layer (Tang & Eliasmith 2010; §7.5 and §7.9).

Tang & Eliasmith found that a network whose first layer is *sparsely and
locally* connected -- each hidden unit sees only a small patch of the image
-- is more robust to noise that was not in the training set (occlusion,
additive and "salt" noise): a corrupted patch perturbs only the units that
look at it, instead of every unit. In an MLP this is a ``Linear`` layer
whose weight matrix has structural zeros: a hard prior that most weights are
exactly 0, the limit of the parameter-sharing and sparsity priors of §7.9-7.10.

``local_mask`` draws the connectivity (one random ``field`` x ``field``
window per hidden unit); ``SparseLinear`` keeps the absent connections
absent, whatever the optimizer, penalty or noise does to ``W``.

References
----------
Tang & Eliasmith (2010), "Deep networks for robust visual recognition", ICML.
Hubel & Wiesel (1959), receptive fields of single neurones in the cat's striate cortex.
"""
import numpy as np

from ..core import checks
from ..core.init import init_weights
from ..core.layers import Linear

__all__ = ["SparseLinear", "local_mask"]


class SparseLinear(Linear):
    """A ``Linear`` layer whose connections outside ``mask`` are absent: ``y = x @ (W * M) + b``.

    Parameters
    ----------
    in_features : int
        Width of the input, ``x: (n, in_features)``.
    out_features : int
        Number of output units.
    mask : array_like of bool, shape (in_features, out_features)
        ``M[i, j]`` is True when input ``i`` is connected to unit ``j``
        (the layout of ``W``: one column per unit). Every unit needs at
        least one input. E.g. ``local_mask((28, 28), 128, 7)``.
    bias : bool, default True
    init : {"pytorch", "he", "glorot"}, default "pytorch"
        As ``Linear``, but with the *actual* fan-in of each unit, the number
        of its connections ``sum_i M[i, j]``: with ``"pytorch"``, ``W[:, j]``
        and ``b[j]`` are ``U(-1/sqrt(fan_in_j), 1/sqrt(fan_in_j))`` (a unit
        with 49 inputs gets the scale of a 49-input ``Linear``, not of a
        784-input one).
    seed : int or None, default None
    dtype : dtype, default float32

    Attributes
    ----------
    W : Parameter, (in_features, out_features), ``regularized=True``
        Zero outside the mask (kept so by ``forward``/``backward``).
    b : Parameter or None
    mask : ndarray of bool, (in_features, out_features)
    fan_in : ndarray of int, (out_features,)

    Notes
    -----
    The mask acts in both passes, not only on the initial weights:

        forward:   y = x (W * M) + b
        backward:  dW += (x^T dy) * M,   db += sum_n dy,   dx = dy (W * M)^T

    so the gradient of an absent weight is exactly 0, and a perturbation of
    it (weight noise, a gradient check, a loaded state) never reaches the
    output. Weight decay, L1's proximal step and max-norm projections keep
    a zero at zero. ``backward(dy, input_grad=False)`` (or
    ``backward_params``) skips ``dx``, for a first layer whose input is data.
    """

    def __init__(self, in_features, out_features, mask, bias=True, init="pytorch", seed=None,
                 dtype=np.float32):
        super().__init__(in_features, out_features, bias=bias, init=init, seed=seed, dtype=dtype)
        m = checks.numbers_array("mask", mask)
        if m.shape != (self.in_features, self.out_features):
            raise ValueError(f"mask must have the shape of W, (in_features, out_features) = "
                             f"({self.in_features}, {self.out_features}), got mask.shape={m.shape}")
        if m.dtype != bool:
            if not np.all((m == 0) | (m == 1)):
                raise ValueError("mask must hold booleans (or 0/1), got other values")
            m = m.astype(bool)
        fan_in = m.sum(axis=0)
        if np.any(fan_in == 0):
            j = int(np.flatnonzero(fan_in == 0)[0])
            raise ValueError(f"mask gives output unit {j} no input (mask[:, {j}] is all False); "
                             f"every unit needs at least one connection")
        self.mask = m
        self.fan_in = fan_in
        self._m = m.astype(dtype)
        self._Wm = None
        self.reset_parameters(checks.generator("seed", seed))

    def reset_parameters(self, rng):
        """Re-draw ``W`` and ``b`` from ``rng`` with each unit's own fan-in; zero outside the mask."""
        W, b = init_weights(rng, self.in_features, self.out_features, self.init, np.float64)
        # Every scheme's scale goes as 1/sqrt(fan_in) (glorot: approximately): rescale
        # each column from the full fan-in to the unit's own.
        s = np.sqrt(self.in_features / self.fan_in)
        W *= s
        b *= s
        W *= self.mask
        self.W.data[...] = W
        if self.b is not None:
            self.b.data[...] = b

    def masked_weight(self):
        """``W * M`` (a new array)."""
        return self.W.data * self._m.astype(self.W.data.dtype, copy=False)

    def forward(self, x):
        """x: (n, in_features) -> y: (n, out_features) = x (W * M) + b."""
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"SparseLinear expects x of shape (n, {self.in_features}) (in_features={self.in_features}), "
                f"got x.shape={np.shape(x)}")
        self.x = x
        self._Wm = self.masked_weight()
        y = x @ self._Wm
        if self.b is not None:
            y += self.b.data
        return y

    def backward(self, dy, input_grad=True):
        """dy: (n, out_features) -> dx: (n, in_features), or None if ``input_grad`` is False."""
        g = self.x.T @ dy
        g *= self._m.astype(g.dtype, copy=False)
        self.W.grad += g
        if self.b is not None:
            self.b.grad += dy.sum(axis=0)
        return dy @ self._Wm.T if input_grad else None

    def astype(self, dtype):
        super().astype(dtype)
        self._m = self.mask.astype(dtype)
        return self

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.b is not None}, "
                f"connections={int(self.mask.sum())}/{self.mask.size}")


def local_mask(image_shape, out_features, field, seed=None):
    """Connectivity of a locally connected first layer: each unit sees one random ``field`` x ``field`` window.

    Parameters
    ----------
    image_shape : (int, int)
        ``(H, W)`` of the input images; pixels are numbered row by row, as
        ``Flatten`` (``x.reshape(n, -1)``) lays them out.
    out_features : int
        Number of hidden units, >= 1.
    field : int
        Side of each unit's square receptive field, ``1 <= field <= min(H, W)``.
    seed : int or None, default None
        Seed of the window positions: the top-left corner of each unit's
        window is uniform over ``{0..H-field} x {0..W-field}``, independently.

    Returns
    -------
    ndarray of bool, shape (H*W, out_features)
        ``mask[r*W + c, j]`` is True when pixel ``(r, c)`` lies in unit
        ``j``'s window; every column has exactly ``field**2`` True entries.
        Pass it to ``SparseLinear(H*W, out_features, mask)``.

    Examples
    --------
    >>> m = local_mask((4, 4), 2, 2, seed=0)
    >>> m.shape, m.sum(axis=0).tolist()
    ((16, 2), [4, 4])
    """
    H, W = checks.image_shape("image_shape", image_shape)
    out_features = checks.count("out_features", out_features)
    checks.allocation("out_features", out_features, H * W, out_features, itemsize=1)
    field = checks.count("field", field, high=min(H, W))
    rng = checks.generator("seed", seed)
    top = rng.integers(0, H - field + 1, out_features)
    left = rng.integers(0, W - field + 1, out_features)
    r = np.arange(H)[:, None, None]
    c = np.arange(W)[None, :, None]
    inside = ((r >= top) & (r < top + field)) & ((c >= left) & (c < left + field))   # (H, W, out)
    return inside.reshape(H * W, out_features)
