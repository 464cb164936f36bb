"""Student's t quantile in NumPy alone (numreg's core does not depend on SciPy).

With ``t = sqrt(nu) * tan(theta)``, Student's t density with ``nu`` degrees
of freedom becomes ``C * cos(theta)**(nu - 1)`` on ``(-pi/2, pi/2)``, with
``C = Gamma((nu + 1)/2) / (sqrt(pi) * Gamma(nu/2))``: a bounded, smooth
integrand on a finite interval, which Simpson's rule integrates to about
1e-12. The quantile is found by bisection on ``theta``.
"""
import functools
import math

import numpy as np

_SIMPSON_POINTS = 2001   # odd


def _t_cdf_upper_half(theta, nu):
    """``P(0 <= T <= sqrt(nu) tan(theta))`` for ``0 <= theta < pi/2``, by Simpson's rule."""
    x = np.linspace(0.0, theta, _SIMPSON_POINTS)
    fx = np.cos(x) ** (nu - 1.0)
    weights = np.ones(_SIMPSON_POINTS)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    c = math.exp(math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2)) / math.sqrt(math.pi)
    return c * (theta / (_SIMPSON_POINTS - 1) / 3.0) * float(weights @ fx)


@functools.lru_cache(maxsize=1024)
def t_quantile(q, nu):
    """The ``q``-quantile of Student's t distribution with ``nu`` degrees of freedom.

    Parameters
    ----------
    q : float
        Probability, in (0, 1).
    nu : float
        Degrees of freedom, > 0.

    Returns
    -------
    float
        ``t`` with ``P(T <= t) = q`` (agrees with ``scipy.stats.t.ppf`` to about 1e-9).
    """
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), got q={q!r}")
    if not nu > 0:
        raise ValueError(f"nu must be > 0, got nu={nu!r}")
    if q < 0.5:
        return -t_quantile(1.0 - q, nu)
    target, lo, hi = q - 0.5, 0.0, math.pi / 2
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _t_cdf_upper_half(mid, nu) < target:
            lo = mid
        else:
            hi = mid
    return math.sqrt(nu) * math.tan(0.5 * (lo + hi))
