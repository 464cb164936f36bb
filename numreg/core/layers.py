"""The deterministic layers: ``Linear``, ``ReLU``, ``Tanh``, ``Sigmoid``, ``Flatten``.

Each ``forward`` keeps exactly what its ``backward`` needs, no more.
Shapes: ``n`` is the batch size.
"""
import numpy as np

from . import checks
from . import kernels
from .init import init_weights
from .module import Module, check_input
from .parameter import Parameter


class Linear(Module):
    """Affine layer ``y = x @ W + b``: the book's hidden layer ``h = g(W^T x + c)`` (§6.1, §6.3).

    Written for a batch of row vectors, so ``x @ W`` is ``W^T x`` for every
    example at once.

    Parameters
    ----------
    in_features : int
        Width of the input, ``x: (n, in_features)``.
    out_features : int
        Width of the output, ``y: (n, out_features)``; one column of ``W``
        per output unit (the max-norm constraint acts on these columns).
    bias : bool, default True
        Whether to add ``b``.
    init : {"pytorch", "he", "glorot"}, default "pytorch"
        Initialization scheme, see :func:`numreg.core.init.init_weights`.
        The default draws like ``torch.nn.Linear``.
    seed : int or None, default None
        Seed of the initial draw. ``Sequential(..., seed=s)`` re-draws every
        layer from its own generator, so this matters only for a layer used
        alone.
    dtype : dtype, default float32

    Attributes
    ----------
    W : Parameter, (in_features, out_features), ``regularized=True``
    b : Parameter, (out_features,), ``regularized=False`` (the book leaves
        biases out of Omega), or None without bias.

    Notes
    -----
    forward keeps ``x`` (for ``dW = x^T dy``); backward computes

        dW += x^T dy,   db += sum_n dy,   dx = dy W^T.

    ``backward(dy, input_grad=False)`` skips ``dx`` (one matrix product) for
    a first layer, whose input is data, as PyTorch does for tensors that do
    not require a gradient.
    """

    def __init__(self, in_features, out_features, bias=True, init="pytorch", seed=None, dtype=np.float32):
        self.in_features = checks.count("in_features", in_features)
        self.out_features = checks.count("out_features", out_features)
        checks.allocation("in_features * out_features", (in_features, out_features), in_features, out_features,
                          itemsize=checks.float_dtype("dtype", dtype).itemsize)
        bias = checks.flag("bias", bias)
        self.init = init
        W, b = init_weights(checks.generator("seed", seed), self.in_features, self.out_features, init, dtype)
        self.W = Parameter(W, "W", regularized=True)
        self.b = Parameter(b, "b", regularized=False) if bias else None
        self.x = None

    def reset_parameters(self, rng):
        """Re-draw ``W`` and ``b`` in place from ``rng`` with this layer's ``init`` scheme."""
        W, b = init_weights(rng, self.in_features, self.out_features, self.init, self.W.dtype)
        self.W.data[...] = W
        if self.b is not None:
            self.b.data[...] = b

    def parameters(self):
        return [self.W] if self.b is None else [self.W, self.b]

    def forward(self, x):
        """x: (n, in_features) -> y: (n, out_features)."""
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"Linear expects x of shape (n, {self.in_features}) (in_features={self.in_features}), "
                f"got x.shape={np.shape(x)}")
        self.x = x
        y = x @ self.W.data
        if self.b is not None:
            y += self.b.data
        return y

    def backward(self, dy, input_grad=True):
        """dy: (n, out_features) -> dx: (n, in_features), or None if ``input_grad`` is False."""
        self.W.grad_add_matmul(self.x.T, dy)           # dW += x^T dy
        if self.b is not None:
            self.b.grad_add_sum(dy)                     # db += sum_n dy
        return dy @ self.W.data.T if input_grad else None

    def backward_params(self, dy):
        self.backward(dy, input_grad=False)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.b is not None}"


class ReLU(Module):
    """Rectified linear unit ``g(z) = max(0, z)`` (§6.3.1).

    Notes
    -----
    forward keeps the output ``y``; backward: ``dx = dy * [y > 0]``.
    The derivative at exactly 0 is taken as 0, as in PyTorch.
    """

    def forward(self, x):
        """x: (n, ...) -> y: same shape."""
        if x.dtype.kind == "f":
            self.y = kernels.relu(x)        # = np.maximum(x, 0), bit for bit, 2.5x as fast
        else:
            self.y = np.maximum(x, 0)
        return self.y

    def backward(self, dy):
        return dy * (self.y > 0)


class Tanh(Module):
    """Hyperbolic tangent. forward keeps ``y``; backward: ``dx = dy * (1 - y^2)``."""

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dy):
        return dy * (1 - self.y * self.y)


class Sigmoid(Module):
    """Logistic sigmoid ``1 / (1 + exp(-z))``, computed without overflow.

    forward keeps ``y``; backward: ``dx = dy * y * (1 - y)``.
    """

    def forward(self, x):
        # exp(-|x|) never overflows: for x >= 0, 1/(1+e^-x); for x < 0, e^x/(1+e^x).
        e = np.exp(-np.abs(x))
        self.y = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        return self.y

    def backward(self, dy):
        return dy * self.y * (1 - self.y)


class Flatten(Module):
    """Reshape ``(n, d1, d2, ...)`` to ``(n, d1*d2*...)``, as ``x.view(-1, 28*28)`` in the seed.

    forward keeps the input shape; backward reshapes ``dy`` back. No copy
    for a contiguous input.
    """

    def forward(self, x):
        x = check_input(x)
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self.shape)
