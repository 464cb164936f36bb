"""Weight initialization schemes for ``Linear``.

Every scheme takes the generator it draws from, so that a model's ``seed``
decides every initial weight.
"""
import math

import numpy as np

SCHEMES = ("pytorch", "he", "glorot")


def init_weights(rng, in_features, out_features, scheme="pytorch", dtype=np.float32):
    """Draw ``W`` of shape ``(in_features, out_features)`` and ``b`` of shape ``(out_features,)``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every draw.
    in_features, out_features : int
        ``fan_in`` and ``fan_out``.
    scheme : {"pytorch", "he", "glorot"}, default "pytorch"
        - ``"pytorch"``: as ``torch.nn.Linear``: ``W`` and ``b`` both
          ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (Kaiming-uniform with
          ``a = sqrt(5)``).
        - ``"he"``: He et al. (2015), ``W ~ N(0, 2/fan_in)``, ``b = 0``; for ReLU.
        - ``"glorot"``: Glorot & Bengio (2010), ``W ~ U(-r, r)`` with
          ``r = sqrt(6/(fan_in + fan_out))``, ``b = 0``; for tanh.
    dtype : dtype, default float32

    Returns
    -------
    W : ndarray, (in_features, out_features)
    b : ndarray, (out_features,)
    """
    shape = (in_features, out_features)
    if scheme == "pytorch":
        bound = 1.0 / math.sqrt(in_features)
        W = rng.uniform(-bound, bound, size=shape)
        b = rng.uniform(-bound, bound, size=out_features)
    elif scheme == "he":
        W = rng.normal(0.0, math.sqrt(2.0 / in_features), size=shape)
        b = np.zeros(out_features)
    elif scheme == "glorot":
        r = math.sqrt(6.0 / (in_features + out_features))
        W = rng.uniform(-r, r, size=shape)
        b = np.zeros(out_features)
    else:
        raise ValueError(f"init must be one of {SCHEMES}, got init={scheme!r}")
    return W.astype(dtype), b.astype(dtype)
