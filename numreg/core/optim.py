"""Optimizers: ``SGD`` (momentum, Nesterov), ``Adam``, ``AdamW``, with PyTorch's update rules.

Each has ``step()``, ``zero_grad()``, ``state_dict()`` and
``load_state_dict()``. Updates are in place, one parameter at a time, in
the parameters' own dtype.

Weight decay acts only on parameters with ``regularized=True`` (the
weights, not the biases), as the book's Omega does; this differs from
PyTorch, which decays every parameter in a group unless told otherwise.
"""
import numpy as np


def _check_lr(lr):
    if not (isinstance(lr, (int, float, np.floating)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a positive number, got lr={lr!r}")
    return float(lr)


def _check_nonneg(name, v):
    if not (isinstance(v, (int, float, np.floating)) and np.isfinite(v) and v >= 0):
        raise ValueError(f"{name} must be a number >= 0, got {name}={v!r}")
    return float(v)


class Optimizer:
    """Base class: holds the parameters and the per-parameter state."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("params is empty: the optimizer has nothing to update")
        self.lr = _check_lr(lr)
        self.t = 0  # number of steps taken

    def zero_grad(self):
        """Set every parameter's gradient to zero, as ``optimizer.zero_grad()``."""
        for p in self.params:
            p.grad.fill(0)

    def step(self):
        raise NotImplementedError

    def _buffers(self):
        """Names of the per-parameter state arrays (lists aligned with ``params``)."""
        return ()

    def state_dict(self):
        """Copies of the step count, hyper-parameters and per-parameter state."""
        state = {"t": self.t, "lr": self.lr}
        for name in self._buffers():
            for i, a in enumerate(getattr(self, name)):
                state[f"{name}.{i}"] = a.copy()
        return state

    def load_state_dict(self, state):
        """Restore what ``state_dict()`` returned (shapes must match)."""
        self.t = int(state["t"])
        self.lr = float(state["lr"])
        for name in self._buffers():
            bufs = getattr(self, name)
            for i, a in enumerate(bufs):
                v = np.asarray(state[f"{name}.{i}"])
                if v.shape != a.shape:
                    raise ValueError(f"optimizer state {name}.{i} has shape {v.shape}, expected {a.shape}")
                np.copyto(a, v, casting="unsafe")
        return self

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    """Stochastic gradient descent (Algorithm 8.1), with momentum (8.2) and Nesterov (8.3).

    PyTorch's formulation: with ``g = grad + weight_decay * w`` (weights only),

        v <- momentum * v + g
        w <- w - lr * v                     (momentum)
        w <- w - lr * (g + momentum * v)    (nesterov=True)

    and plain ``w <- w - lr * g`` when ``momentum == 0``.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        The learning rate ``epsilon`` (> 0). No default, as in PyTorch.
    momentum : float, default 0.0
        ``alpha`` of Algorithm 8.2, in [0, 1).
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0``).
    weight_decay : float, default 0.0
        ``alpha`` of the L2 penalty: ``w <- (1 - epsilon*alpha) w - epsilon grad J``,
        the seed's update. Without momentum this is exactly SGD on
        ``J + alpha/2 ||w||^2`` (the identity of §7.1.1).
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = _check_nonneg("momentum", momentum)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got momentum={momentum!r}")
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0")
        self.nesterov = bool(nesterov)
        self.weight_decay = _check_nonneg("weight_decay", weight_decay)
        self.v = [np.zeros_like(p.data) for p in self.params] if self.momentum else []

    def _buffers(self):
        return ("v",) if self.momentum else ()

    def step(self):
        """One update of every parameter from its ``.grad``."""
        self.t += 1
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad
            if wd and p.regularized:
                g = g + p.data.dtype.type(wd) * p.data
            if mu:
                v = self.v[i]
                v *= v.dtype.type(mu)
                v += g
                g = g + v.dtype.type(mu) * v if self.nesterov else v
            p.data -= p.data.dtype.type(lr) * g


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015; Algorithm 8.7), as ``torch.optim.Adam``.

    With ``g = grad + weight_decay * w`` (weights only; an L2 penalty
    through the gradient, *coupled* to the adaptive scaling)::

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2
        w <- w - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0.0
    """

    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        b1, b2 = betas
        for name, b in (("betas[0]", b1), ("betas[1]", b2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {name}={b!r}")
        self.betas = (float(b1), float(b2))
        self.eps = _check_nonneg("eps", eps)
        self.weight_decay = _check_nonneg("weight_decay", weight_decay)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self._tmp = [np.empty_like(p.data) for p in self.params]

    def _buffers(self):
        return ("m", "v")

    def step(self):
        """One update of every parameter from its ``.grad``."""
        self.t += 1
        b1, b2 = self.betas
        lr, wd = self.lr, self.weight_decay
        bc1 = 1.0 - b1 ** self.t                      # bias corrections
        bc2 = 1.0 - b2 ** self.t
        # w <- w - lr/bc1 * m / (sqrt(v/bc2) + eps)
        #    = w - s * m / (sqrt(v) + eps * sqrt(bc2)),  s = lr * sqrt(bc2) / bc1
        s = lr * np.sqrt(bc2) / bc1
        eps_hat = self.eps * np.sqrt(bc2)
        for p, m, v, tmp in zip(self.params, self.m, self.v, self._tmp):
            f = p.data.dtype.type
            g = p.grad
            if wd and p.regularized:
                if self.decoupled:
                    p.data *= f(1.0 - lr * wd)        # AdamW: w <- w - lr*lambda*w
                else:
                    g = g + f(wd) * p.data            # Adam: L2 through the gradient
            np.subtract(g, m, out=tmp)
            tmp *= f(1.0 - b1)
            m += tmp                                  # m <- b1 m + (1 - b1) g
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= f(1.0 - b2)
            v += tmp                                  # v <- b2 v + (1 - b2) g^2
            np.sqrt(v, out=tmp)
            tmp += f(eps_hat)
            np.divide(m, tmp, out=tmp)
            tmp *= f(s)
            p.data -= tmp

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``.

    Before the Adam step, ``w <- (1 - lr * weight_decay) w`` on the weights:
    the decay is not divided by Adam's ``sqrt(v_hat)``, unlike an L2
    penalty passed through the gradient (``Adam(weight_decay=...)``).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 1e-2 (PyTorch's default)
    """

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
