"""Rprop, resilient backpropagation (Riedmiller & Braun 1993), as ``torch.optim.Rprop``.

Prechelt (1998), whose early-stopping study is §7.8's source, trained all
his networks with Rprop; this is that optimizer.
"""
import numpy as np

from . import checks
from .optim import Optimizer


class Rprop(Optimizer):
    """Rprop: a per-weight step size adapted from the sign of the gradient.

    Per element, with ``g`` this step's gradient and ``g_prev`` the last one::

        g * g_prev > 0:  step <- min(step * eta_plus,  step_max)
        g * g_prev < 0:  step <- max(step * eta_minus, step_min);  g <- 0
        w <- w - sign(g) * step;   g_prev <- g

    (Riedmiller & Braun 1993, "A direct adaptive method for faster
    backpropagation learning: the RPROP algorithm"; the variant without
    weight-backtracking, as PyTorch.) Every step starts at ``lr``.

    Parameters
    ----------
    params : iterable of Parameter
        The parameters to update (their ``.grad`` is read).
    lr : float, default 0.01
        Initial step size of every element, > 0.
    etas : (float, float), default (0.5, 1.2)
        ``(eta_minus, eta_plus)`` with ``0 < eta_minus < 1 < eta_plus``.
    step_sizes : (float, float), default (1e-6, 50)
        ``(step_min, step_max)`` with ``0 < step_min < step_max``.
    """

    def __init__(self, params, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50)):
        super().__init__(params, lr)
        em, ep = checks.pair("etas", etas, "a pair (eta_minus, eta_plus)")
        em, ep = checks.real("etas[0]", em), checks.real("etas[1]", ep)
        if not (0.0 < em < 1.0 < ep):
            raise ValueError(f"etas must satisfy 0 < eta_minus < 1 < eta_plus, got etas={etas!r}")
        smin, smax = checks.pair("step_sizes", step_sizes, "a pair (step_min, step_max)")
        smin, smax = checks.real("step_sizes[0]", smin), checks.real("step_sizes[1]", smax)
        if not (0.0 < smin < smax):
            raise ValueError(f"step_sizes must satisfy 0 < step_min < step_max, got step_sizes={step_sizes!r}")
        self.etas = (float(em), float(ep))
        self.step_sizes = (float(smin), float(smax))
        self.prev = self._zeros()                    # g_prev
        self.steps = self._zeros()                   # per-element step size
        for s in self.steps:
            s.fill(self.lr)

    def _buffers(self):
        return ("prev", "steps")

    def step(self):
        """One update of every parameter from its ``.grad``."""
        self.t += 1
        em, ep = self.etas
        smin, smax = self.step_sizes
        for w, g, (prev, steps), _ in self._blocks(("prev", "steps")):
            f = w.dtype.type
            s = np.sign(g * prev)
            steps *= np.where(s > 0, f(ep), np.where(s < 0, f(em), f(1.0)))
            np.clip(steps, f(smin), f(smax), out=steps)
            g = np.where(s < 0, f(0.0), g)           # after a sign change: no move, forget g
            w -= np.sign(g) * steps
            prev[...] = g

    def __repr__(self):
        return f"Rprop(lr={self.lr}, etas={self.etas}, step_sizes={self.step_sizes})"
