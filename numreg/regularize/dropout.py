"""Dropout (§7.12), inverted as in ``torch.nn.Dropout``."""
import numpy as np

from ..core.module import Module


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

    References
    ----------
    Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (2014),
    "Dropout: a simple way to prevent neural networks from overfitting", JMLR 15.
    """

    def __init__(self, p=0.5, seed=None):
        p_ = float(p)
        if not 0.0 <= p_ < 1.0:
            raise ValueError(f"Dropout probability must be in [0, 1), got p={p!r}")
        self.p = p_
        self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x):
        """x: (n, ...) -> y: same shape."""
        if not self.training or self.p == 0.0:
            self.mask = None
            return x
        keep = 1.0 - self.p
        u = self.rng.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64)
        # scaled mask: 1/(1-p) where kept (u < 1 - p), 0 where dropped
        self.mask = (u < keep).astype(x.dtype) * x.dtype.type(1.0 / keep)
        return x * self.mask

    def backward(self, dy):
        return dy if self.mask is None else dy * self.mask

    def extra_repr(self):
        return f"p={self.p}"
