"""Gaussian dropout (§7.12): multiply each unit by ``N(1, p / (1 - p))`` noise instead of a Bernoulli mask."""
import numpy as np

from ...core import checks
from ...core.module import Module


class GaussianDropout(Module):
    r"""Multiplicative Gaussian noise on the units in training; identity in evaluation (§7.12).

    §7.12 notes that dropout's mask need not be binary: Srivastava et al.
    (2014, §10) multiply each unit by ``e ~ N(1, sigma^2)`` and find it works
    as well as or better than Bernoulli masks. With

        y = x * e,    e ~ N(1, sigma^2),    sigma^2 = p / (1 - p),

    ``y`` has the same mean and variance as inverted dropout
    (``nr.Dropout(p)``, whose scaled mask ``m / (1 - p)``, ``m ~ Bernoulli(1 - p)``,
    has mean 1 and variance ``(1 - p) p / (1 - p)^2 = p / (1 - p)``):
    ``E[y] = x`` and ``Var[y] = x^2 p / (1 - p)``. Since ``E[e] = 1``, no
    rescaling is needed at evaluation, where the layer is the identity (the
    weight scaling inference rule).

    Parameters
    ----------
    p : float, default 0.5
        The dropout probability whose noise level to match, in [0, 1):
        ``sigma = sqrt(p / (1 - p))`` (``p = 0.5``: ``sigma = 1``; ``p = 0``:
        no noise).
    seed : int or None, default None
        Seed of the layer's own generator ``self.rng`` (``Sequential(seed=...)``
        gives it one derived from the model's seed instead).

    Attributes
    ----------
    sigma : float
        ``sqrt(p / (1 - p))``.
    noise : ndarray or None
        The factors ``e`` of the last training forward pass (same shape as
        ``x``); None in evaluation.

    Notes
    -----
    ``x: (n, ...) -> y = x * e`` with ``e = 1 + sigma z``, ``z ~ N(0, I)``
    drawn from ``self.rng`` in the dtype of ``x``. forward keeps ``e``;
    backward: ``dx = dy * e``. ``nr.gradcheck.replay`` rewinds ``self.rng``
    so that a gradient check sees the same ``e`` at every evaluation.

    References
    ----------
    Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (2014),
    "Dropout: a simple way to prevent neural networks from overfitting",
    JMLR 15, §10 (multiplicative Gaussian noise).
    """

    def __init__(self, p=0.5, seed=None):
        p_ = checks.probability("p", p)
        self.p = p_
        self.sigma = float(np.sqrt(p_ / (1.0 - p_)))
        self.rng = checks.generator("seed", seed)
        self.noise = None

    def forward(self, x):
        """x: (n, ...) -> y: same shape."""
        if not self.training or self.p == 0.0:
            self.noise = None
            return x
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        e = self.rng.standard_normal(x.shape, dtype=dtype)
        e *= dtype(self.sigma)
        e += dtype(1.0)
        self.noise = e
        return x * e

    def backward(self, dy):
        """dy: (n, ...) -> dx = dy * e (the same factors as forward)."""
        return dy if self.noise is None else dy * self.noise

    def extra_repr(self):
        return f"p={self.p}"
