"""Bagging: k models on k bootstrap resamples, their probabilities averaged (§7.11).

Bootstrap aggregating (Breiman 1994): each member is trained on its own
resample of the training set, ``n`` examples drawn *with replacement*, so
each sees about ``1 - 1/e ~ 2/3`` of the distinct examples (some twice or
more) and the members make partly independent errors. The ensemble
averages their predicted class probabilities.

Why it helps, in the book's words (§7.11): if member ``i`` makes error
``epsilon_i`` with ``E[epsilon_i^2] = v`` and ``E[epsilon_i epsilon_j] = c``
for ``i != j``, the averaged prediction's expected squared error is

    E[(1/k sum_i epsilon_i)^2] = v/k + (k - 1) c / k.

Perfectly correlated members (``c = v``) gain nothing; uncorrelated ones
(``c = 0``) divide the squared error by ``k``. ``Bagging.report`` measures
``v`` and ``c`` on held-out data, with ``epsilon_i(x) = p_i(x) - onehot(y)``
the error of member ``i``'s probability vector, for which the identity
holds exactly (the ensemble's probability vector is the mean of the
members'), and also gives every member's and the ensemble's
misclassification rate and the correlation of the members' mistakes.
"""

import numpy as np

from ...core import checks
from ...core.checks import call_with_optional
from ...core.losses import SoftmaxCrossEntropy, softmax
from ...core.optim import Adam
from ...training import fit, predict

__all__ = ["Bagging", "BaggingReport", "bootstrap_indices"]


def bootstrap_indices(n, rng):
    """``n`` indices drawn uniformly with replacement from ``range(n)``: one bootstrap resample."""
    return rng.integers(0, n, size=n)


def _call_with_seed(make, seed):
    return call_with_optional(make, seed)


class BaggingReport(dict):
    """What :meth:`Bagging.report` measured (a dict, also readable as attributes).

    Keys
    ----
    member_error : list of float
        Misclassification rate of each member.
    ensemble_error : float
        Misclassification rate of the averaged probabilities.
    error_correlation : float
        Mean over pairs of members of the Pearson correlation of their
        0/1 mistake indicators (1: they err on the same examples).
    member_sq_error : list of float
        ``E[||epsilon_i||^2]`` of each member (its Brier score).
    v : float
        ``E[||epsilon_i||^2]``, averaged over members and examples, with
        ``epsilon_i = p_i(x) - onehot(y)`` (the Brier score of a member).
    c : float
        ``E[epsilon_i . epsilon_j]``, averaged over examples and pairs ``i != j``.
    rho : float
        ``c / v``, the book's correlation of the members' errors.
    predicted_sq_error : float
        ``v/k + (k - 1) c / k`` (§7.11).
    ensemble_sq_error : float
        ``E[||1/k sum_i epsilon_i||^2]``, measured: the ensemble's Brier
        score. Equal to ``predicted_sq_error`` up to rounding: the identity
        is exact for means over the same examples.
    distinct_fraction : list of float
        Fraction of distinct training examples in each member's resample
        (about ``1 - 1/e = 0.632``).
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __str__(self):
        k = len(self["member_error"])
        lines = [f"bagging with k = {k} members",
                 "  member error:   " + " ".join(f"{e:.4f}" for e in self["member_error"]),
                 f"  mean member error {np.mean(self['member_error']):.4f}, ensemble error {self['ensemble_error']:.4f}",
                 f"  correlation of the members' mistakes: {self['error_correlation']:.3f}",
                 f"  squared error of the probabilities: v = {self['v']:.5f}, c = {self['c']:.5f} "
                 f"(rho = c/v = {self['rho']:.3f})",
                 f"  v/k + (k-1)c/k = {self['predicted_sq_error']:.5f}; ensemble measured "
                 f"{self['ensemble_sq_error']:.5f} (a member alone: v = {self['v']:.5f})"]
        return "\n".join(lines)


class Bagging:
    """An ensemble of ``k`` models, each trained on its own bootstrap resample (§7.11).

    Parameters
    ----------
    make_model : callable
        ``make_model(seed) -> model`` builds one untrained member (a
        ``Sequential`` producing logits); it receives the member's own
        integer seed, to pass to ``nr.mlp(..., seed=seed)`` or
        ``nr.Sequential(..., seed=seed)``. A callable without arguments is
        called without.
    k : int
        Number of members, ``k >= 1``.
    seed : int or None, default None
        Seeds the resamples, the members' seeds and the shuffling: the same
        seed gives bit-identical members.
    make_optimizer : callable or None, default None
        ``make_optimizer(model) -> optimizer``; None: ``nr.Adam(model.parameters(), lr=1e-3)``.
    criterion : loss or None, default None
        None: ``nr.SoftmaxCrossEntropy()``.

    Attributes
    ----------
    members : list of model
        After ``fit``.
    histories : list of History
    resamples : list of ndarray of int
        Each member's bootstrap indices into the training set.

    Notes
    -----
    Members are trained one after the other with ``nr.fit`` (each on a
    gathered copy of its resample, freed before the next); ``predict_proba``
    averages ``softmax`` of their logits in evaluation mode (the arithmetic
    mean of §7.11, as ``p_ensemble = 1/k sum_i p^(i)``).

    References
    ----------
    Breiman (1994), "Bagging predictors", Machine Learning 24 (1996).
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.11.
    """

    def __init__(self, make_model, k, seed=None, make_optimizer=None, criterion=None):
        self.make_model = checks.function("make_model", make_model, "a function seed -> model")
        self.k = checks.count("k", k)   # the number of models
        self.seed = checks.seed("seed", seed)
        self.make_optimizer = (checks.optional(checks.function, "make_optimizer", make_optimizer)
                               or (lambda m: Adam(m.parameters(), lr=1e-3)))
        self.criterion = (SoftmaxCrossEntropy() if criterion is None else checks.has_methods(
            "criterion", criterion, ("forward", "backward"), "a loss such as nr.SoftmaxCrossEntropy()"))
        self.members = []

    def fit(self, X, y, epochs=10, batch_size=64, valid=None, **fit_kwargs):
        """Train the ``k`` members, each on its own bootstrap resample of ``(X, y)``. Returns self.

        Parameters
        ----------
        X : ndarray, (n, ...)
        y : ndarray of int, (n,)
        epochs : int, default 10
        batch_size : int, default 64
        valid : (X, y) or None, default None
            Passed to ``nr.fit`` (e.g. for an ``EarlyStopping`` callback).
        **fit_kwargs
            Any other argument of ``nr.fit`` (``penalties``, ``callbacks``, ...);
            ``verbose`` defaults to False.
        """
        X = checks.float_array("X", X, min_ndim=2)
        y = checks.numbers_array("y", y)
        if y.ndim == 0 or len(X) != len(y):
            raise ValueError(f"X has {len(X)} examples but y has shape {y.shape}: one target per example")
        fit_kwargs.setdefault("verbose", False)
        root = np.random.default_rng(self.seed)
        self.members, self.histories, self.resamples = [], [], []
        for _ in range(self.k):
            member_seed = int(root.integers(2**31))
            idx = np.sort(bootstrap_indices(len(X), root))  # sorted: the gather reads X in order
            model = _call_with_seed(self.make_model, member_seed)
            opt = self.make_optimizer(model)
            h = fit(model, self.criterion, opt, (X[idx], y[idx]), valid, epochs=epochs, batch_size=batch_size,
                    seed=member_seed, **fit_kwargs)
            self.members.append(model)
            self.histories.append(h)
            self.resamples.append(idx)
        return self

    def _check_fitted(self):
        if not self.members:
            raise RuntimeError("Bagging is not fitted yet: call fit(X, y) first")

    def member_proba(self, X, batch_size=1024):
        """Each member's class probabilities: (k, n, C), in evaluation mode."""
        self._check_fitted()
        return np.stack([softmax(predict(m, X, batch_size)) for m in self.members])

    def predict_proba(self, X, batch_size=1024):
        """The ensemble's probabilities ``1/k sum_i p^(i)(y | x)``: (n, C)."""
        return self.member_proba(X, batch_size).mean(axis=0)

    def predict(self, X, batch_size=1024):
        """The ensemble's most probable class."""
        return self.predict_proba(X, batch_size).argmax(axis=1)

    def report(self, X, y, batch_size=1024):
        """Every member's error, the ensemble's, and the book's v/k + (k-1)c/k, on ``(X, y)``.

        Returns
        -------
        BaggingReport
            See its docstring; ``print(report)`` shows a small table.
        """
        P = self.member_proba(X, batch_size).astype(np.float64)  # (k, n, C)
        y = np.asarray(y)
        k, n, C = P.shape
        if y.shape != (n,):
            raise ValueError(f"y must hold one label per example ({n},), got y.shape={y.shape}")
        onehot = np.zeros((n, C))
        onehot[np.arange(n), y] = 1.0
        E = P - onehot  # epsilon_i(x): (k, n, C)
        G = np.einsum("inc,jnc->ij", E, E) / n  # G_ij = E_x[epsilon_i . epsilon_j]
        v = float(np.trace(G) / k)
        c = float((G.sum() - np.trace(G)) / (k * (k - 1))) if k > 1 else 0.0
        ens = E.mean(axis=0)
        wrong = P.argmax(axis=2) != y  # (k, n)
        member_error = wrong.mean(axis=1)
        if k > 1:
            Wc = wrong - wrong.mean(axis=1, keepdims=True)
            sd = np.sqrt((Wc * Wc).mean(axis=1))
            cov = (Wc @ Wc.T) / n
            with np.errstate(invalid="ignore", divide="ignore"):
                R = cov / np.outer(sd, sd)
            off = R[~np.eye(k, dtype=bool)]
            err_corr = float(np.nanmean(off)) if np.isfinite(off).any() else float("nan")
        else:
            err_corr = float("nan")
        return BaggingReport(
            member_error=member_error.tolist(),
            member_sq_error=np.diag(G).tolist(),
            ensemble_error=float(np.mean(P.mean(axis=0).argmax(axis=1) != y)),
            error_correlation=err_corr,
            v=v, c=c, rho=c / v if v > 0 else float("nan"),
            predicted_sq_error=v / k + (k - 1) * c / k,
            ensemble_sq_error=float(np.einsum("nc,nc->", ens, ens) / n),
            distinct_fraction=[len(np.unique(r)) / len(r) for r in getattr(self, "resamples", [])],
        )

    def __repr__(self):
        return f"Bagging(k={self.k}, seed={self.seed!r}, fitted={bool(self.members)})"
