"""DropConnect (§7.12): drop *weights* rather than units (Wan et al. 2013), a ``Linear`` with a masked ``W``."""
import numpy as np

from ...core import checks
from ...core.layers import Linear
from .dropout import bernoulli


def keep_mask(rng, q, shape, dtype):
    """A boolean mask that is True with probability ``q`` per entry, drawn from ``rng``.

    The same draw as :meth:`numreg.Dropout.sample_mask`: in float64 ``u < q``
    with ``u ~ U[0, 1)``; in any other dtype :func:`bernoulli` from raw bits.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the draw (restoring its state replays it).
    q : float
        Keep probability ``1 - p``, in (0, 1].
    shape : tuple of int
        Shape of the mask.
    dtype : dtype
        The dtype of the layer: float64 selects the uniform draw.

    Returns
    -------
    ndarray of bool, ``shape``
    """
    if np.dtype(dtype) == np.float64:
        return rng.random(shape) < q
    return bernoulli(rng, q, shape)


class DropConnect(Linear):
    r"""A ``Linear`` layer whose weights are dropped at random in training (DropConnect, §7.12).

    Dropout multiplies each *unit* by a Bernoulli mask; DropConnect (Wan,
    Zeiler, Zhang, LeCun & Fergus 2013), which the book names among dropout's
    relatives in §7.12, multiplies each *weight* instead: with a mask
    ``M`` of the shape of ``W``, ``M_ij ~ Bernoulli(1 - p)``,

        y = x @ (W * M) / (1 - p) + b,        x: (n, in_features), y: (n, out_features).

    Each output unit then sees a random subset of its inputs, a different
    subset for every unit, where dropout removes an input from every unit at
    once. The scaling ``1/(1 - p)`` is the inverted scaling of ``nr.Dropout``:
    ``E[W * M / (1 - p)] = W``, so the expected output equals the output of
    the layer with its mean weights, and evaluation (``model.eval()``) uses
    ``W`` itself: the book's weight scaling inference rule. (Wan et al. infer
    with a Gaussian moment-matching approximation of the sum over masks
    instead, sampling the Gaussian of each unit's input; the weight-scaling
    rule is the cheaper approximation, exact in expectation before the
    non-linearity.) The bias is not dropped.

    Parameters
    ----------
    p : float, default 0.5
        Probability of *dropping* a weight, in [0, 1), as ``nr.Dropout(p)``;
        ``p = 0`` is a plain ``Linear``.
    in_features, out_features : int or None, default None
        Width of the input and the output, as ``nr.Linear``. Required unless
        ``linear`` is given.
    bias : bool, default True
        Whether to add ``b`` (never dropped).
    per_example : bool, default False
        False: one mask ``M`` per forward pass, shared by the batch (one
        ``(in, out)`` draw, two matrix products as ``Linear``). True: one
        mask per example, ``M: (n, in_features, out_features)``, as in Wan et
        al.; forward and backward are ``einsum`` over that mask, so they keep
        ``n * in_features * out_features`` entries (4 bytes each in float32:
        13 MB for a batch of 256 through a 128x100 layer) and make one
        temporary array of that size per pass: meant for small layers.
    init : {"pytorch", "he", "glorot"}, default "pytorch"
        Initialization of ``W`` and ``b``, as ``nr.Linear``.
    seed : int or None, default None
        Seed of the initial weights and of the layer's own mask generator
        ``self.rng``; ``Sequential(..., seed=s)`` re-draws both from ``s``.
    dtype : dtype, default float32
    linear : Linear or None, default None
        An existing ``nr.Linear`` whose ``W`` and ``b`` (the same ``Parameter``
        objects, shared) this layer uses; then ``in_features``,
        ``out_features``, ``bias`` and ``init`` are taken from it.

    Attributes
    ----------
    W : Parameter, (in_features, out_features), ``regularized=True``
    b : Parameter, (out_features,), or None
    rng : numpy.random.Generator
        Source of the masks; ``nr.gradcheck.replay`` rewinds it.
    mask : ndarray or None
        The scaled mask ``M / (1 - p)`` of the last training forward pass:
        ``(in, out)``, or ``(n, in, out)`` per example; None in evaluation.
        With one mask per batch, forward also keeps ``W_masked = W * mask``
        for backward's ``dx``.

    Notes
    -----
    With ``S = M / (1 - p)`` (one mask per batch), backward is ``Linear``'s
    with ``W * S`` in place of ``W``, and the chain rule through the mask
    for ``W``:

        dW += (x^T dy) * S,    db += sum_n dy,    dx = dy (W * S)^T.

    Per example, ``S_n`` for example ``n``:
    ``dW += sum_n x_n^T dy_n * S_n`` and ``dx_n = dy_n (W * S_n)^T``.

    The output of unit ``j`` has mean ``(x @ W)_j + b_j`` and, over masks,
    variance ``p / (1 - p) * sum_i x_i^2 W_ij^2``.

    References
    ----------
    Wan, Zeiler, Zhang, LeCun & Fergus (2013), "Regularization of neural
    networks using DropConnect", ICML.
    """

    def __init__(self, p=0.5, in_features=None, out_features=None, bias=True, per_example=False,
                 init="pytorch", seed=None, dtype=np.float32, linear=None):
        p_ = checks.probability("p", p)
        per_example = checks.flag("per_example", per_example)
        rng = checks.generator("seed", seed)
        if linear is not None:
            checks.instance("linear", linear, Linear, "an nr.Linear")
            self.in_features, self.out_features = linear.in_features, linear.out_features
            self.init, self.W, self.b, self.x = linear.init, linear.W, linear.b, None
        else:
            if in_features is None or out_features is None:
                raise ValueError("DropConnect needs in_features and out_features (or linear=), got "
                                 f"in_features={in_features!r}, out_features={out_features!r}")
            super().__init__(in_features, out_features, bias=bias, init=init, seed=seed, dtype=dtype)
        self.p = p_
        self.per_example = per_example
        self.rng = rng
        self.mask = None

    def forward(self, x):
        """x: (n, in_features) -> y: (n, out_features); masked weights in training, ``W`` in evaluation."""
        if not self.training or self.p == 0.0:
            self.mask = None
            return super().forward(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"DropConnect expects x of shape (n, {self.in_features}) (in_features={self.in_features}), "
                f"got x.shape={np.shape(x)}")
        W = self.W.data
        shape = (x.shape[0],) + W.shape if self.per_example else W.shape
        S = keep_mask(self.rng, 1.0 - self.p, shape, W.dtype).astype(W.dtype)
        S *= W.dtype.type(1.0 / (1.0 - self.p))            # scaled mask M / (1 - p)
        self.mask, self.x = S, x
        if self.per_example:                                # y_n = x_n (W * S_n), no (n, in, out) product kept
            y = np.einsum("ni,nio,io->no", x, S, W, optimize=True)
        else:
            self.W_masked = W * S                           # kept for backward's dx
            y = x @ self.W_masked
        if self.b is not None:
            y += self.b.data
        return y

    def backward(self, dy, input_grad=True):
        """dy: (n, out_features) -> dx: (n, in_features), or None if ``input_grad`` is False."""
        if self.mask is None:
            return super().backward(dy, input_grad)
        S, x, W = self.mask, self.x, self.W.data
        if self.b is not None:
            self.b.grad += dy.sum(axis=0)
        if self.per_example:
            self.W.grad += np.einsum("ni,no,nio->io", x, dy, S, optimize=True)   # sum_n x_n^T dy_n * S_n
            return np.einsum("no,nio,io->ni", dy, S, W, optimize=True) if input_grad else None
        self.W.grad += (x.T @ dy) * S
        return dy @ self.W_masked.T if input_grad else None

    def extra_repr(self):
        return f"p={self.p}, " + super().extra_repr() + (", per_example=True" if self.per_example else "")
