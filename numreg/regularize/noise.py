"""Noise injection on inputs and hidden units (§7.5)."""
import numpy as np

from ..core.module import Module


class GaussianNoise(Module):
    """Add ``N(0, std^2)`` noise in training; identity in evaluation (§7.5).

    Placed first, it is dataset augmentation by noise ("injecting noise at
    the input = data augmentation", §7.4); placed between layers, it is
    noise on the hidden units, of which dropout is a multiplicative cousin.
    For small ``std`` and a squared-error loss, input noise is equivalent
    to a penalty on the norm of the weights (Bishop 1995, §7.5).

    Parameters
    ----------
    std : float, default 0.1
        Standard deviation of the added noise, >= 0.
    seed : int or None, default None
        Seed of the layer's own generator (``Sequential(seed=...)`` overrides it).

    Notes
    -----
    ``x: (n, ...) -> y = x + std * z``, ``z ~ N(0, I)``. The noise does not
    depend on ``x``, so backward is the identity: ``dx = dy``. forward keeps
    nothing.
    """

    def __init__(self, std=0.1, seed=None):
        s = float(std)
        if not (s >= 0.0 and np.isfinite(s)):
            raise ValueError(f"std must be a finite number >= 0, got std={std!r}")
        self.std = s
        self.rng = np.random.default_rng(seed)

    def forward(self, x):
        if not self.training or self.std == 0.0:
            return x
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        z = self.rng.standard_normal(x.shape, dtype=dtype)
        z *= dtype(self.std)
        return x + z

    def backward(self, dy):
        return dy

    def extra_repr(self):
        return f"std={self.std}"
