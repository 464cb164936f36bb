"""Sparse representations (§7.10): an L1 penalty on a layer's outputs, ``ActivityL1``."""
import numpy as np

from ...core.module import Module
from ...core import checks
from ...core.parameter import Parameter


class ActivityL1(Module):
    """L1 penalty on the representation ``h`` (§7.10, Eq. 7.48): ``Omega(h) = ||h||_1``.

    Where the parameter penalties of §7.1 make the *weights* sparse, this
    one makes the *activations* sparse: many units output exactly 0 for
    each input (with ReLU units, whose zeros are exact). The regularized
    objective is

        J~ = J + alpha * Omega(h) = J + alpha * (1/n) sum_i ||h_i||_1,

    the mean over the ``n`` examples of the batch of each example's
    ``||h_i||_1`` (summed over the units).

    Why the mean over the batch: the data loss ``J`` the criteria return is
    a mean over the batch, and ``Omega(h)`` is a per-example quantity, like
    the loss -- the book's J~ is an expectation over examples of both. With
    the mean, ``alpha`` keeps its meaning when the batch size changes and
    the gradient of each example's ``h_i`` is ``alpha * sign(h_i) / n``,
    on the same ``1/n`` scale as the data gradient ``dJ/dh_i``. (A sum over
    the batch would silently multiply ``alpha`` by the batch size.)

    Usage: insert it in a ``Sequential`` right after the layer whose
    outputs it penalizes (after the activation, before any dropout), and
    pass the same object to ``fit``'s ``penalties=`` so that its value is
    part of the reported training loss::

        act = nr.ActivityL1(1e-4)
        model = nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU(), act,
                              nr.Linear(128, 10), seed=0)
        nr.fit(model, nr.SoftmaxCrossEntropy(), opt, train, penalties=[act])

    Its gradient is added by the model's backward pass, where it sits, so
    ``add_grad`` does nothing: passing it in ``penalties=`` only reports
    its value, never counts the gradient twice.

    Parameters
    ----------
    alpha : float
        Penalty weight ``alpha >= 0``.

    Attributes
    ----------
    pass_weight : float, default 1.0
        The weight of the current pass in the objective. A training step
        that makes several weighted passes sets it for each pass (``FGSM``'s
        ``alpha J(x) + (1 - alpha) J(x_adv)`` sets ``alpha``, then
        ``1 - alpha``), so the penalty's gradient is weighted as the data
        gradient of that pass is, and the two passes together add it once.

    Notes
    -----
    forward is the identity and keeps a reference to ``h`` (no copy);
    backward adds the penalty's gradient:

        dh = dy + alpha * sign(h) / n,

    with ``sign(0) = 0`` (the subgradient at 0; after a ReLU, the units at 0
    receive no gradient from the ReLU anyway). The penalty acts in
    training and evaluation mode alike (it is part of the objective, not
    noise), but only training calls backward.
    """

    def __init__(self, alpha):
        self.alpha = checks.nonnegative("alpha", alpha)
        self.pass_weight = 1.0
        self.h = None

    def forward(self, x):
        """x = h: (n, ...) -> h unchanged (the same array)."""
        self.h = x
        return x

    def backward(self, dy):
        """dy: (n, ...) -> dy + pass_weight * alpha * sign(h) / n."""
        if self.h is None:
            raise RuntimeError("ActivityL1.backward() needs a forward() first")
        if not self.alpha:
            return dy
        h = self.h
        g = np.sign(h)
        g *= h.dtype.type(self.pass_weight * self.alpha / h.shape[0])
        g += dy
        return g

    def value(self, params=None):
        """``alpha * (1/n) sum_i ||h_i||_1`` for the batch of the last forward (a float).

        ``params`` is ignored (it is there for ``fit``'s penalty protocol).
        """
        if self.h is None:
            raise RuntimeError("ActivityL1 has not seen a forward pass: insert it in the model "
                               "(e.g. after a ReLU) before passing it in penalties=")
        if not self.alpha:
            return 0.0
        h = self.h
        return self.alpha * float(np.abs(h).sum()) / h.shape[0]

    def add_grad(self, params=None):
        """Nothing: the gradient ``alpha * sign(h) / n`` is added by ``backward``, in the model."""
        if params is not None:   # the penalty protocol's argument: unused, but checked
            checks.as_list(params, Parameter, "params")
        return None

    def sparsity(self):
        """Fraction of exact zeros in ``h`` of the last forward pass."""
        if self.h is None:
            raise RuntimeError("ActivityL1 has not seen a forward pass")
        return float(np.count_nonzero(self.h == 0)) / self.h.size

    def extra_repr(self):
        return f"alpha={self.alpha}"
