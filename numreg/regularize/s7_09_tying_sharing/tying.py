"""Parameter tying: an L2 penalty pulling two models' weights together (§7.9).

Two models performing similar tasks (the book's example: a supervised
classifier A and an unsupervised model B of the same inputs, Lasserre et al.
2006) should have similar parameters. Instead of a norm penalty pulling
``w`` toward 0 (§7.1), pull ``w_A`` toward ``w_B``:

    Omega(w_A, w_B) = 1/2 ||w_A - w_B||_2^2

(the book writes it without the 1/2; numreg keeps the 1/2 of its other L2
penalties, so the gradient has no factor 2: the book's alpha is half of ours),

added to the objective as ``alpha * Omega``, with gradients

    d(alpha Omega)/d w_A =  alpha (w_A - w_B),
    d(alpha Omega)/d w_B = -alpha (w_A - w_B).

Parameter *sharing* (§7.9, convolutional networks) is the limit
``alpha -> infinity``: the same array used in two places.
"""

import numpy as np

from ...core import checks
from ...core.checks import as_list
from ...core.parameter import Parameter

__all__ = ["TiedL2"]


def _param_list(obj, name):
    if hasattr(obj, "parameters") and callable(obj.parameters):
        return [p for p in obj.parameters() if p.regularized]
    return as_list(obj, Parameter, name)


class TiedL2:
    """The penalty ``alpha * 1/2 ||w_A - w_B||^2`` between two models' weights (§7.9).

    Parameters
    ----------
    params_a : Module or sequence of Parameter
        Model A's tied parameters. A model (anything with ``parameters()``)
        contributes its weights, the parameters with ``regularized=True``,
        in order (biases are left out, as in every norm penalty of §7.1).
    params_b : Module or sequence of Parameter
        Model B's, paired with A's in order; the shapes must match pairwise.
    alpha : float
        Strength, ``alpha >= 0``.

    Notes
    -----
    The penalty keeps its own pairs of parameters, so the ``params``
    argument that ``fit`` passes to ``value(params)`` and
    ``add_grad(params)`` (the trained model's parameters) does not change
    the value; it says which parameters are being trained:

    - ``value(params)`` is always ``alpha/2 sum_pairs ||w_A - w_B||^2``.
    - ``add_grad(params)`` adds ``alpha (w_A - w_B)`` to each ``w_A.grad``
      and ``-alpha (w_A - w_B)`` to each ``w_B.grad`` -- but only for the
      parameters found (by identity) in ``params``; with ``params=None``, to
      both sides. So ``fit(model_a, ..., penalties=[TiedL2(model_a,
      model_b, alpha)])`` trains A toward a fixed B and leaves B's
      gradients untouched, while a model that holds both A and B (e.g. a
      ``MultiTask`` with two heads) gets both gradients and the pull is mutual.

    References
    ----------
    Lasserre, Bishop & Minka (2006), "Principled hybrids of generative and discriminative models", CVPR.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.9.

    Examples
    --------
    One pair ``w_A = [1, 2]``, ``w_B = [0, 0]``, alpha = 2:
    ``value = 2 * 1/2 * (1 + 4) = 5``, ``grad_A = 2 * [1, 2] = [2, 4]``.
    """

    def __init__(self, params_a, params_b, alpha):
        a = _param_list(params_a, "params_a")
        b = _param_list(params_b, "params_b")
        alpha = checks.nonnegative("alpha", alpha)
        if len(a) != len(b):
            raise ValueError(f"params_a and params_b must pair up: {len(a)} parameters against {len(b)}")
        if not a:
            raise ValueError("params_a holds no parameters to tie")
        for i, (pa, pb) in enumerate(zip(a, b)):
            if pa.data.shape != pb.data.shape:
                raise ValueError(f"tied pair {i} has shapes {pa.data.shape} (params_a) and {pb.data.shape} (params_b)")
            if pa is pb:
                raise ValueError(f"tied pair {i} is one Parameter twice: that is sharing, not tying")
        self.params_a, self.params_b = a, b
        self.alpha = float(alpha)

    def value(self, params=None):
        """``alpha * 1/2 * sum ||w_A - w_B||^2`` (float). ``params`` is ignored (see Notes)."""
        total = 0.0
        for pa, pb in zip(self.params_a, self.params_b):
            d = pa.data - pb.data
            total += float(np.sum(d * d, dtype=np.float64))
        return 0.5 * self.alpha * total

    def add_grad(self, params=None):
        """Add ``±alpha (w_A - w_B)`` to the gradients of the tied parameters found in ``params`` (None: all)."""
        ids = None if params is None else {id(p) for p in _param_list(params, "params")}
        for pa, pb in zip(self.params_a, self.params_b):
            a_in = ids is None or id(pa) in ids
            b_in = ids is None or id(pb) in ids
            if not (a_in or b_in):
                continue
            g = pa.data - pb.data
            g *= g.dtype.type(self.alpha)
            if a_in:
                pa.grad += g
            if b_in:
                pb.grad -= g

    def __repr__(self):
        return f"TiedL2(alpha={self.alpha}, pairs={len(self.params_a)})"
