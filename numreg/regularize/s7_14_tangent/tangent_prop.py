r"""Tangent prop (§7.14, Eq. 7.67; Simard, Victorri, LeCun & Denker 1992).

The book: "the tangent prop algorithm trains a neural net classifier with an
extra penalty to make each output f(x) of the neural net locally invariant
to known factors of variation ... Local invariance is achieved by requiring
grad_x f(x) to be orthogonal to the known manifold tangent vectors v^(i) at
x, or equivalently that the directional derivative of f at x in the
directions v^(i) be small by adding a regularization penalty Omega":

.. math::  \Omega(f) = \sum_i \left( (\nabla_x f(x))^\top v^{(i)} \right)^2 .   \qquad (7.67)

For a network with ``k`` outputs (the logits) ``(grad_x f)^T v`` is the
Jacobian-vector product ``J v``, a vector of ``k`` numbers; its square is
``||J v||^2``. Averaged over a batch of ``n`` examples with ``T`` tangents each,

    Omega = (1/n) sum_n sum_t ||J(x_n) v_n^(t)||^2,

and the training objective is ``J(theta) + alpha Omega``.

``J v`` is computed by a forward-mode pass through the network
(:mod:`.forward_mode`, hand-written like the backward pass) and the gradient
``alpha dOmega/dtheta`` by the reverse pass through both the network and its
tangent, with the second-order terms ``g''(z)`` of the activations: see
:func:`.forward_mode.tangent_backward`.
"""
import numpy as np

from ...core import checks
from ...core.layers import Flatten, Linear
from .forward_mode import jvp, supports, tangent_backward
from .tangents import TRANSFORMATIONS, check_transformations, tangent_vectors

__all__ = ["TangentProp", "TangentTable", "tangent_prop_penalty"]


def tangent_prop_penalty(model, V, alpha=1.0, grad=True):
    """``alpha * Omega`` of Eq. 7.67 at the input of the model's last ``forward``; adds its gradient.

    Parameters
    ----------
    model : Sequential
        Run ``model.forward(x)`` on the batch first (its caches are used).
    V : ndarray, (n, T, ...) with ``...`` the input's shape per example (or its flat size)
        The tangent vectors ``v^(t)`` of each example.
    alpha : float, default 1.0
        Weight of the penalty.
    grad : bool, default True
        Whether to add ``alpha dOmega/dtheta`` to the parameters' ``.grad``.

    Returns
    -------
    float
        ``alpha * (1/n) sum_n sum_t ||J(x_n) v_n^(t)||^2``.
    """
    checks.has_methods("model", model, ("named_modules", "parameters"), "a Sequential model")
    V = checks.float_array("V", V, min_ndim=3)
    alpha = checks.nonnegative("alpha", alpha)
    grad = checks.flag("grad", grad)
    x_shape = _input_shape(model)
    if V.ndim < 3 or V.shape[0] != x_shape[0] or int(np.prod(V.shape[2:])) != int(np.prod(x_shape[1:])):
        raise ValueError(f"V must hold tangents of shape (n, T, ...) for the last input of shape {x_shape}, "
                         f"got V.shape={V.shape}")
    dtype = model.parameters()[0].data.dtype
    V = V.reshape(V.shape[:2] + tuple(x_shape[1:])).astype(dtype, copy=False)
    n = V.shape[0]
    Jv, trace = jvp(model, V)
    value = alpha * float(np.sum(Jv.astype(np.float64) ** 2)) / n
    if grad and alpha:
        tangent_backward(model, trace, None, Jv * dtype.type(2.0 * alpha / n), input_grad=False)
    return value


def _input_shape(model):
    """The shape of the input of the model's last forward, as its first layer kept it (Flatten or Linear)."""
    first = next(m for _, m in model.named_modules() if not m.named_children())
    if isinstance(first, Flatten):
        shape = getattr(first, "shape", None)
    elif isinstance(first, Linear):
        shape = None if first.x is None else first.x.shape
    else:
        raise TypeError(f"tangent prop needs a model whose first layer is Flatten or Linear, got {first!r}")
    if shape is None:
        raise ValueError("the model has no forward pass to differentiate: call model.forward(x) first")
    return shape


class TangentProp:
    """Tangent prop (Eq. 7.67) for ``nr.fit(..., adversarial=TangentProp(...))``.

    The penalty depends on the batch (its tangents), not on the parameters
    alone, so it cannot be a ``penalties=`` object (``value(params)``); it
    uses the hook that sees the batch, ``adversarial=``, whose
    ``train_step(model, criterion, data, target)`` replaces the step's
    forward/loss/backward: the supervised pass, then the forward-mode pass
    ``J v`` on the same forward (same dropout masks) and the reverse pass of
    ``alpha dOmega/dtheta``. It returns the clean output and
    ``J(theta) + alpha Omega``.

    Parameters
    ----------
    alpha : float
        Weight of the penalty, ``>= 0``.
    transformations : sequence of str, default ``("translate_x", "translate_y", "rotate", "scale", "thicken")``
        The known factors of variation whose tangents are computed from each
        batch by :func:`tangent_vectors` (images ``(n, H, W)``, or
        ``(n, H*W)`` with ``image_shape``).
    tangents : callable or None, default None
        ``tangents(data) -> (n, T, ...)``: other tangent vectors (e.g. those
        a contractive autoencoder learned, the manifold tangent classifier);
        replaces ``transformations``.
    sigma : float, default 0.0
        Blur before the image gradients of the known transformations.
    normalize : bool, default False
        Scale each tangent to unit norm (so that ``alpha`` does not depend on
        the units of the transformations).
    image_shape : (int, int) or None, default None
        ``(H, W)`` when the batches are flat.

    Attributes
    ----------
    last_penalty : float
        ``alpha * Omega`` of the last step.

    Notes
    -----
    Cost: a forward-mode pass carrying ``T`` tangents per example and the
    reverse pass of the tangent; the first layer does ``2T + 2`` products of
    its size instead of 2. Measured on the seed network (batches of 256,
    float32, one thread, a shared machine): about 5 times a plain step for
    ``T = 2`` and 7 times for ``T = 5`` (``benchmarks/bench_vat_tangent_prop.py``).
    Supported layers: those of :mod:`.forward_mode`.
    """

    def __init__(self, alpha, transformations=TRANSFORMATIONS, tangents=None, sigma=0.0, normalize=False,
                 image_shape=None):
        self.alpha = checks.nonnegative("alpha", alpha)
        self.tangents = checks.optional(checks.function, "tangents", tangents, "a callable data -> (n, T, ...)")
        self.transformations = check_transformations(transformations) if tangents is None else None
        self.sigma = checks.nonnegative("sigma", sigma)
        self.normalize = checks.flag("normalize", normalize)
        self.image_shape = checks.optional(checks.image_shape, "image_shape", image_shape)
        self.last_penalty = 0.0

    def vectors(self, data):
        """The tangent vectors of a batch: ``(n, T, D)`` (or what ``tangents`` returns)."""
        V = self.tangents(data) if self.tangents is not None else \
            tangent_vectors(data, self.transformations, sigma=self.sigma, image_shape=self.image_shape)
        V = np.asarray(V)
        if self.normalize:
            norm = np.sqrt(np.sum(V.reshape(V.shape[0], V.shape[1], -1) ** 2, axis=2))
            V = V / np.maximum(norm, 1e-12).reshape(norm.shape + (1,) * (V.ndim - 2))
        return V

    def train_step(self, model, criterion, data, target):
        """Supervised forward/backward, then ``alpha Omega`` and its gradient; returns ``(output, J + alpha Omega)``."""
        if not supports(model):
            raise TypeError(f"TangentProp needs a model of Linear, ReLU, Tanh, Sigmoid, Flatten, Dropout and "
                            f"GaussianNoise layers, got {model!r}")
        output = model.forward(data)
        loss = criterion.forward(output, target)
        model.backward(criterion.backward(), input_grad=False)
        self.last_penalty = tangent_prop_penalty(model, self.vectors(data), self.alpha) if self.alpha else 0.0
        return output, loss + self.last_penalty

    def __repr__(self):
        what = f"transformations={self.transformations}" if self.tangents is None else f"tangents={self.tangents!r}"
        return f"TangentProp(alpha={self.alpha}, {what}, sigma={self.sigma}, normalize={self.normalize})"


class TangentTable:
    """Precomputed tangents of a fixed training set, looked up by the rows of each batch.

    Tangents that cost much to compute and depend only on ``x`` (those a
    contractive autoencoder learned: one eigen-decomposition per image) are
    computed once for the training set and found again for each batch:
    ``TangentProp(alpha, tangents=TangentTable(X, V))``.

    Parameters
    ----------
    X : ndarray, (N, ...)
        The training inputs, as ``fit`` sees them (same dtype).
    V : ndarray, (N, T, D)
        Their tangents.

    Notes
    -----
    Each row is keyed by its inner product with a fixed random vector; a
    batch is looked up with ``np.searchsorted`` on the sorted keys and the
    rows found are compared with the batch, so a batch row that is not in
    the table (an augmented image) raises ``ValueError`` instead of getting
    another image's tangents.
    """

    def __init__(self, X, V):
        X = checks.float_array("X", X, min_ndim=2)
        V = checks.float_array("V", V)
        D = int(np.prod(X.shape[1:]))
        if V.ndim != 3 or len(V) != len(X) or V.shape[2] != D:
            raise ValueError(f"V must have shape (N, T, D) with N = len(X) = {len(X)} and D = {D} (the size of "
                             f"an example of X), got V.shape={V.shape}")
        self.X, self.V = X.reshape(len(X), -1), V
        self._proj = np.random.default_rng(0).standard_normal(self.X.shape[1])
        keys = self.X.astype(np.float64) @ self._proj
        self._order = np.argsort(keys, kind="stable")
        self._keys = keys[self._order]

    def __call__(self, data):
        flat = checks.float_array("data", data, min_ndim=2)
        flat = flat.reshape(len(flat), -1)
        if flat.shape[1] != self.X.shape[1]:
            raise ValueError(f"data must have examples of the TangentTable's size {self.X.shape[1]}, "
                             f"got data.shape={np.shape(data)}")
        pos = np.clip(np.searchsorted(self._keys, flat.astype(np.float64) @ self._proj), 0, len(self._keys) - 1)
        idx = self._order[pos]
        if not np.array_equal(self.X[idx], flat.astype(self.X.dtype, copy=False)):
            raise ValueError("a batch row is not in the TangentTable (augmented or new data?): "
                             "give tangents computed from the batch instead")
        return self.V[idx]
