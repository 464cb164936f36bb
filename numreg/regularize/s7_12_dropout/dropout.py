"""Dropout (§7.12), inverted as in ``torch.nn.Dropout``, and the Bernoulli draw of its masks."""
import numpy as np

from ...core import checks
from ...core.kernels import bernoulli_bits
from ...core.module import Module

# The Bernoulli mask from raw generator bits (the fast form of ``u < 1 - p``) lives with the
# other speed devices in numreg.core.kernels; the name ``bernoulli`` is kept for its callers.
bernoulli = bernoulli_bits


class Dropout(Module):
    """Randomly drop units in training; identity in evaluation (§7.12).

    Each unit is kept with probability ``1 - p`` and multiplied by
    ``1/(1 - p)`` when kept ("inverted dropout"), so that the expected
    value of every unit is unchanged, ``E[y] = x``, and evaluation needs no
    rescaling. This is the weight-scaling inference rule of §7.12 moved to
    training time; ``model.eval()`` then uses the full network.

    Parameters
    ----------
    p : float, default 0.5
        Probability of *dropping* a unit, in [0, 1), as ``torch.nn.Dropout(p)``.
        (The book writes the keep probability; it is ``1 - p`` here.)
    seed : int or None, default None
        Seed of the layer's own generator. Inside ``Sequential(..., seed=s)``
        the model hands the layer a generator derived from ``s`` instead.

    Notes
    -----
    forward keeps the scaled mask ``m / (1 - p)`` with ``m ~ Bernoulli(1 - p)``,
    ``x: (n, ...) -> y = x * m / (1 - p)``; backward applies the same mask:
    ``dx = dy * m / (1 - p)``.

    The mask ``m`` comes from :meth:`sample_mask`, which draws from
    ``self.rng``: in float64 as ``u < 1 - p`` with ``u`` a uniform in [0, 1),
    in float32 with :func:`numreg.core.kernels.bernoulli_bits` from raw bits
    (``u = k / 2^b`` for ``b`` random bits ``k``, compared as ``k < ceil((1 - p) 2^b)``). Either way the keep
    probability is ``1 - p``, exactly, or within ``2^-32`` of it when
    ``1 - p`` is not a multiple of ``2^-16`` (``2^-53`` in float64).

    References
    ----------
    Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (2014),
    "Dropout: a simple way to prevent neural networks from overfitting", JMLR 15.
    """

    def __init__(self, p=0.5, seed=None):
        self.p = checks.probability("p", p)
        self.rng = checks.generator("seed", seed)
        self.mask = None

    def sample_mask(self, shape, dtype=np.float32):
        """A boolean keep mask ``m ~ Bernoulli(1 - p)`` of ``shape``, one draw per unit, from ``self.rng``.

        float64 (gradient checks, analysis): the definition, ``u < 1 - p``
        for ``u ~ U[0, 1)`` of 53 bits. Any other dtype (training in
        float32): the same Bernoulli from only the bits it needs, see
        :func:`numreg.core.kernels.bernoulli_bits` -- about ten times faster for ``p = 0.5``.
        """
        q = 1.0 - self.p
        if np.dtype(dtype) == np.float64:
            return self.rng.random(shape) < q
        return bernoulli_bits(self.rng, q, shape)

    def forward(self, x):
        """x: (n, ...) -> y: same shape."""
        if not self.training or self.p == 0.0:
            self.mask = None
            return x
        m = self.sample_mask(x.shape, x.dtype)
        self.mask = m.astype(x.dtype)                  # scaled mask m / (1 - p)
        self.mask *= x.dtype.type(1.0 / (1.0 - self.p))
        return x * self.mask

    def backward(self, dy):
        return dy if self.mask is None else dy * self.mask

    def extra_repr(self):
        return f"p={self.p}"
