"""Exact computations on an enumerable RBM (a few visible units): log Z, log-likelihood, its gradient.

Summing over all ``2^n_visible`` visible states (the hidden units sum out in
closed form through the free energy ``F(v)``) gives what CD-k and PCD only
estimate; the tests check ``nr.RBM`` against these.

    log Z = log sum_v exp(-F(v)),    log P(v) = -F(v) - log Z,
    d log P / dW = mean_data v P(h|v)^T - sum_v P(v) v P(h|v)^T      (positive minus negative phase, §18.1)
"""
import numpy as np

from ..core import checks
from .units import check_units, softplus as _softplus

__all__ = ["all_states", "exact_log_partition", "exact_log_likelihood", "exact_gradient"]


def all_states(n):
    """Every binary vector of length ``n`` (``n <= 20``), as a ``(2^n, n)`` float64 array, row ``s`` = bits of ``s``."""
    n = checks.count("n", n, high=20)   # 2^n states are enumerated
    s = np.arange(2**n)[:, None]
    return ((s >> np.arange(n)[None, :]) & 1).astype(np.float64)


def exact_log_partition(rbm):
    """``log Z = log sum_v exp(-F(v))``, summed over all ``2^n_visible`` visible states (float64)."""
    F = _free_energy64(rbm, all_states(rbm.n_visible))
    return _logsumexp(-F)


def exact_log_likelihood(rbm, V):
    """Mean exact ``log P(v) = -F(v) - log Z`` over the rows of ``V`` (float64, by enumeration)."""
    V = check_units(V, rbm.n_visible, "V", np.float64)
    return float(np.mean(-_free_energy64(rbm, V)) - exact_log_partition(rbm))


def exact_gradient(rbm, V):
    """Exact gradient of the mean log-likelihood of ``V``: ``(dW, db, dc)`` in float64.

    Positive phase minus negative phase, the model expectation summed over
    all visible states weighted by ``P(v) = exp(-F(v) - log Z)``:

        dW = mean_data v P(h|v)^T - sum_v P(v) v P(h|v)^T, and likewise for b (v) and c (P(h|v)).

    Zero outside ``rbm.mask`` (those weights are not parameters).
    """
    V = check_units(V, rbm.n_visible, "V", np.float64)
    S = all_states(rbm.n_visible)
    F = _free_energy64(rbm, S)
    p = np.exp(-F - _logsumexp(-F))
    W, c = rbm.W.data.astype(np.float64), rbm.c.data.astype(np.float64)
    Pd = 1 / (1 + np.exp(-(V @ W + c)))
    Ps = 1 / (1 + np.exp(-(S @ W + c)))
    dW = V.T @ Pd / len(V) - (S * p[:, None]).T @ Ps
    if rbm.mask is not None:
        dW *= rbm.mask
    return dW, V.mean(axis=0) - p @ S, Pd.mean(axis=0) - p @ Ps


def _free_energy64(rbm, S):
    W, b, c = (x.data.astype(np.float64) for x in (rbm.W, rbm.b, rbm.c))
    return -(S @ b) - _softplus(S @ W + c).sum(axis=1)


def _logsumexp(a):
    m = np.max(a)
    return float(m + np.log(np.sum(np.exp(a - m))))
