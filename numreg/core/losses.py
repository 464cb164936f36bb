"""Losses: ``forward(output, target) -> float`` (mean over the batch), ``backward() -> d_output``."""
import numpy as np

from . import checks
from . import kernels

SMOOTHING = ("book", "uniform")


def check_labels(target, n, k, name="target"):
    """Integer class labels of shape ``(n,)`` with values in ``[0, k)``, as an int64 array (see :func:`checks.labels`)."""
    name = checks.instance("name", name, str, "the argument's name (a str)")
    n, k = checks.integer("n", n, low=0), checks.count("k", k)
    return checks.labels(name, target, n, k)


def check_output(output, name="output"):
    """The model's output as a float array; a non-finite entry raises :class:`checks.NonFiniteError`.

    ``NonFiniteError`` is a ``ValueError`` and a ``FloatingPointError``: ``fit``
    treats it as a diverged run (best finite weights restored).
    """
    z = checks.float_array(name, output, min_ndim=1, allow_nan=True)
    if z.dtype.kind == "f" and not np.isfinite(z).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(z))[0])
        raise checks.NonFiniteError(f"{name} must hold finite numbers, got {name}{list(where)}={z[where]}: "
                                    f"the model diverged or its input was not finite")
    return z


def log_softmax(z):
    """Row-wise ``log softmax(z)`` by the log-sum-exp trick: no overflow for any finite ``z``.

    ``log softmax(z)_ij = z_ij - c_i - log sum_j exp(z_ij - c_i)`` with
    ``c_i = max_j z_ij``, so every ``exp`` is at most 1 and the sum at least 1.

    Parameters
    ----------
    z : ndarray, (n, k)

    Returns
    -------
    ndarray, (n, k)

    Notes
    -----
    The loss computes the same on ``z^T`` (:func:`numreg.core.kernels.log_softmax_t`,
    twice as fast for ``(256, 10)`` logits); the two differ only in the
    order the ``k`` exponentials are added (see there).
    """
    z = checks.float_array("z", z, ndim=2)
    c = z.max(axis=1, keepdims=True)
    return z - c - np.log(np.exp(z - c).sum(axis=1, keepdims=True))


def softmax(z):
    """Row-wise softmax, computed stably: ``exp(z - c) / sum_j exp(z_j - c)``, ``c = max_j z_j``.

    Parameters
    ----------
    z : ndarray, (n, k)

    Returns
    -------
    ndarray, (n, k)
    """
    z = checks.float_array("z", z, ndim=2)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class SoftmaxCrossEntropy:
    """Softmax followed by cross-entropy, with optional label smoothing (§7.5.1).

    ``J = -(1/n) sum_i sum_j t_ij log softmax(z_i)_j`` for logits
    ``z: (n, k)`` and target distribution ``t`` built from the labels.

    Parameters
    ----------
    label_smoothing : float, default 0.0
        The book's ``epsilon`` in [0, 1): the probability that a label is wrong.
    smoothing : {"book", "uniform"}, default "book"
        How ``epsilon`` is spread (the two conventions are easily confused):

        - ``"book"`` (§7.5.1 and the seed's slide): the true class gets
          ``1 - epsilon``, each of the other ``k - 1`` classes
          ``epsilon / (k - 1)``.
        - ``"uniform"`` (``torch.nn.CrossEntropyLoss(label_smoothing=epsilon)``,
          Szegedy et al. 2016): ``(1 - epsilon) * onehot + epsilon / k``, so
          the true class gets ``1 - epsilon + epsilon/k``.

        The book's ``epsilon`` equals the uniform one times ``(k - 1)/k``.

    Notes
    -----
    forward keeps ``softmax(z)`` and the labels; backward returns

        dJ/dz = (softmax(z) - t) / n.

    The log-softmax is computed by the log-sum-exp trick, so logits of
    ``±1e4`` in float32 give a finite loss. The fast forms run in training:
    :func:`numreg.core.kernels.log_softmax_t` for :func:`log_softmax` and
    :func:`numreg.core.kernels.softmax_xent_grad_` for ``(softmax(z) - t) / n``.
    """

    def __init__(self, label_smoothing=0.0, smoothing="book"):
        eps = checks.probability("label_smoothing", label_smoothing)
        smoothing = checks.choice("smoothing", smoothing, SMOOTHING)
        self.label_smoothing = eps
        self.smoothing = smoothing

    def targets(self, k):
        """``(on, off)``: probability of the labelled class and of each other class."""
        eps = self.label_smoothing
        if self.smoothing == "book":
            off = eps / (k - 1) if k > 1 else 0.0
            return 1.0 - eps, off
        return 1.0 - eps + eps / k, eps / k

    def __call__(self, output, target):
        return self.forward(output, target)

    def forward(self, output, target):
        """output: (n, k) logits; target: (n,) integer labels in [0, k), or an (n, k)
        target distribution used as given (no smoothing added). Returns the mean loss."""
        z = check_output(output)
        if z.ndim != 2:
            raise ValueError(f"output must be logits of shape (n, k), got output.shape={z.shape}")
        n, k = z.shape
        logp = kernels.log_softmax_t(z)      # = log_softmax(z), computed on z^T
        if np.ndim(target) == 2:
            return self._forward_soft(logp, target)
        y = check_labels(target, n, k)
        rows = np.arange(n)
        on, off = self.targets(k)
        picked = logp[rows, y]
        if off == 0.0:
            loss = -picked.sum()
        else:
            # sum_j t_j log p_j = on * log p_y + off * (sum_j log p_j - log p_y)
            loss = -(on - off) * picked.sum() - off * logp.sum()
        self.p = np.exp(logp, out=logp)
        self.y, self.on, self.off, self.t = y, on, off, None
        return float(loss) / n

    def _forward_soft(self, logp, target):
        t = checks.float_array("target", target, ndim=2)
        if t.shape != logp.shape:
            raise ValueError(f"a target distribution must have the output's shape {logp.shape}, got target.shape={t.shape}")
        if t.min() < 0 or not np.allclose(t.sum(axis=1), 1.0, atol=1e-4):
            raise ValueError("a target distribution must hold finite probabilities >= 0 summing to 1 per row")
        loss = -float(np.sum(t * logp, dtype=np.float64)) / logp.shape[0]
        self.p = np.exp(logp, out=logp)
        self.t = t.astype(logp.dtype, copy=False)
        return loss

    def backward(self):
        """Returns dJ/dz: (n, k) = (softmax(z) - t) / n."""
        if self.__dict__.get("p") is None:
            raise RuntimeError("backward() needs a forward() first (and runs once per forward)")
        g = self.p
        if self.t is not None:
            g -= self.t
            g /= g.dtype.type(g.shape[0])
        else:                                # the same without building t: (p - t) / n in place
            kernels.softmax_xent_grad_(g, self.y, self.on, self.off)
        self.p = None  # g was softmax(z), now consumed: backward runs once per forward
        return g

    def __repr__(self):
        return f"SoftmaxCrossEntropy(label_smoothing={self.label_smoothing}, smoothing={self.smoothing!r})"


class MSELoss:
    """Mean of squared errors over every element, as ``torch.nn.MSELoss()``.

    ``J = (1/(n*d)) sum (output - target)^2``; backward: ``2 (output - target) / (n*d)``.
    A target of shape ``(n,)`` is accepted for an output of shape ``(n, 1)``.
    """

    def __call__(self, output, target):
        return self.forward(output, target)

    def forward(self, output, target):
        """output: (n, d); target: (n, d) (or (n,) when d == 1). Returns the mean squared error."""
        out = check_output(output)
        t = checks.float_array("target", target, min_ndim=1, allow_empty=True)
        if t.shape != out.shape:
            if out.ndim == 2 and out.shape[1] == 1 and t.shape == out.shape[:1]:
                t = t[:, None]
            else:
                raise ValueError(f"target must have the output's shape {out.shape}, got target.shape={t.shape}")
        self.diff = out - t.astype(out.dtype, copy=False)
        return float(np.mean(self.diff * self.diff, dtype=np.float64))

    def backward(self):
        d = self.diff
        return d * d.dtype.type(2.0 / d.size)

    def __repr__(self):
        return "MSELoss()"
