"""A Gaussian mixture fitted by EM on labeled and unlabeled data together: the seed's "generative models" (§7.6).

One Gaussian component per class, ``p(x, y=c) = pi_c N(x; mu_c, Sigma_c)``.
The labeled points have known components; the unlabeled ones are summed
over them. EM maximizes

    L = sum_{labeled} log pi_{y_i} N(x_i; mu_{y_i}, Sigma_{y_i})
        + lambda * sum_{unlabeled} log sum_c pi_c N(x_j; mu_c, Sigma_c)

alternating

    E-step: r_jc = p(y=c | x_j) for the unlabeled points (Bayes' rule);
            r_ic = 1[y_i = c] for the labeled points, fixed, never re-estimated;
    M-step: pi_c, mu_c, Sigma_c = the weighted proportion, mean and covariance
            with weights r (unlabeled ones times lambda).

The unlabeled points move the means and covariances toward where the data
is, which is how a generative model lets unlabeled data help classify
(§7.6: "P(x) ... shares parameters with P(y | x)").
"""

import numpy as np

from ...core import checks
from ._input import check_ssl_data
from .kmeans import _as_points

__all__ = ["SemiSupervisedGMM"]

COVARIANCES = ("full", "diag", "spherical")
LOG_2PI = np.log(2 * np.pi)


class SemiSupervisedGMM:
    """Gaussian mixture with one component per class, fitted by EM with the labeled responsibilities fixed (§7.6).

    Parameters
    ----------
    covariance : {"full", "diag", "spherical"}, default "full"
        Form of each class's covariance ``Sigma_c``: a full matrix, its
        diagonal, or ``sigma_c^2 I``. In 784 pixel dimensions use "diag" or
        project the data first (the 100-label experiment uses 30 principal
        components).
    reg_covar : float, default 1e-3
        Added to the covariance's diagonal, ``> 0``: keeps every Gaussian
        proper when a pixel never varies in a class (and with few labels).
    max_iter : int, default 100
        Most EM iterations.
    tol : float, default 1e-6
        Stop when the objective per point increases by less than ``tol``.
    unlabeled_weight : float, default 1.0
        The ``lambda`` above, in [0, 1]: weight of each unlabeled point
        (Nigam et al. 2000). 0 gives the supervised fit.
    n_classes : int or None, default None
        Number of classes (default ``max(y_labeled) + 1``). Every class
        needs at least one labeled example: its component starts from them.

    Attributes
    ----------
    weights_ : ndarray, (C,)
        Mixing proportions ``pi_c``.
    means_ : ndarray, (C, d)
    covariances_ : ndarray
        ``(C, d, d)`` full, ``(C, d)`` diag, ``(C,)`` spherical.
    objective_ : list of float
        ``L`` above divided by the number of points, after each EM
        iteration; it never decreases (the EM guarantee).
    n_iter_ : int
    responsibilities_ : ndarray, (u, C)
        ``p(y=c | x_j)`` of the unlabeled training points at the end.

    Notes
    -----
    Initialization: the supervised maximum-likelihood fit to the labeled
    points alone. All computations are in float64; log-densities use a
    Cholesky factor (full), so the loop runs over the ``C`` classes, never
    over points.

    References
    ----------
    Dempster, Laird & Rubin (1977), "Maximum likelihood from incomplete data via the EM algorithm", JRSS B 39.
    Nigam, McCallum, Thrun & Mitchell (2000), "Text classification from labeled and unlabeled documents
    using EM", Machine Learning 39.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.6.
    """

    def __init__(self, covariance="full", reg_covar=1e-3, max_iter=100, tol=1e-6, unlabeled_weight=1.0,
                 n_classes=None):
        self.covariance = checks.choice("covariance", covariance, COVARIANCES)
        self.reg_covar = checks.positive("reg_covar", reg_covar)
        self.max_iter = checks.count("max_iter", max_iter)
        self.tol = checks.nonnegative("tol", tol)
        self.unlabeled_weight = checks.probability("unlabeled_weight", unlabeled_weight, allow_one=True)
        self.n_classes = checks.optional(checks.count, "n_classes", n_classes)

    # -- the two steps -------------------------------------------------------------

    def _m_step(self, X, R):
        """Weighted proportions, means and covariances for weights ``R: (n, C)`` (rows of X weighted)."""
        Nc = R.sum(axis=0)  # effective count per class
        self.weights_ = Nc / Nc.sum()
        self.means_ = (R.T @ X) / Nc[:, None]
        d = X.shape[1]
        if self.covariance == "full":
            cov = np.empty((len(Nc), d, d))
            for c in range(len(Nc)):
                Xc = X - self.means_[c]
                cov[c] = (Xc * R[:, c:c + 1]).T @ Xc / Nc[c]
                cov[c].flat[::d + 1] += self.reg_covar
        else:
            # E[x^2] - mu^2 per feature, for all classes at once
            var = (R.T @ (X * X)) / Nc[:, None] - self.means_ ** 2
            np.maximum(var, 0, out=var)
            var += self.reg_covar
            cov = var if self.covariance == "diag" else var.mean(axis=1)
        self.covariances_ = cov

    def _log_joint(self, X):
        """``log pi_c + log N(x; mu_c, Sigma_c)`` for every point and class: (n, C)."""
        n, d = X.shape
        C = len(self.weights_)
        out = np.empty((n, C))
        if self.covariance == "full":
            for c in range(C):
                L = np.linalg.cholesky(self.covariances_[c])
                # Mahalanobis distance by a triangular solve: z = L^{-1} (x - mu)
                z = np.linalg.solve(L, (X - self.means_[c]).T)
                logdet = 2 * np.log(np.diag(L)).sum()
                out[:, c] = -0.5 * (np.einsum("ij,ij->j", z, z) + logdet + d * LOG_2PI)
        else:
            var = self.covariances_ if self.covariance == "diag" else self.covariances_[:, None] * np.ones(d)
            inv = 1.0 / var
            # sum_f (x_f - mu_f)^2 / var_f expanded into matrix products
            maha = (X * X) @ inv.T - 2 * X @ (self.means_ * inv).T + np.sum(self.means_ ** 2 * inv, axis=1)
            out[:] = -0.5 * (maha + np.log(var).sum(axis=1) + d * LOG_2PI)
        out += np.log(self.weights_)
        return out

    @staticmethod
    def _logsumexp(a):
        m = a.max(axis=1, keepdims=True)
        return (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True)))[:, 0]

    # -- fitting -------------------------------------------------------------------

    def fit(self, X_labeled, y_labeled, X_unlabeled):
        """EM on the labeled and the unlabeled points. Returns self.

        Parameters
        ----------
        X_labeled : ndarray, (l, ...)
        y_labeled : ndarray of int, (l,)
            Every class in ``[0, n_classes)`` must appear at least once.
        X_unlabeled : ndarray, (u, ...)
            Same width as ``X_labeled``.
        """
        X_l, y, X_u, C = check_ssl_data(X_labeled, y_labeled, X_unlabeled, self.n_classes)
        missing = np.setdiff1d(np.arange(C), y)
        if missing.size:
            raise ValueError(f"y_labeled must hold every class at least once (one Gaussian per class), "
                             f"classes {missing.tolist()} have no labeled example")
        X = np.concatenate([X_l, X_u]).astype(np.float64)
        n_l = len(X_l)
        lam = self.unlabeled_weight
        R = np.zeros((len(X), C))
        R[np.arange(n_l), y] = 1.0  # fixed for ever: the labeled responsibilities
        self._m_step(X[:n_l], R[:n_l])  # start from the supervised fit
        self.objective_ = []
        self.n_iter_ = 0
        prev = -np.inf
        for it in range(1, self.max_iter + 1):
            lj = self._log_joint(X)
            lse_u = self._logsumexp(lj[n_l:])
            obj = (lj[np.arange(n_l), y].sum() + lam * lse_u.sum()) / len(X)
            self.objective_.append(float(obj))
            self.n_iter_ = it
            R[n_l:] = np.exp(lj[n_l:] - lse_u[:, None])  # E-step: unlabeled rows only
            if obj - prev < self.tol:
                break
            prev = obj
            W = R.copy()
            W[n_l:] *= lam
            self._m_step(X, W)  # M-step
        self.responsibilities_ = R[n_l:]
        return self

    def predict_proba(self, X):
        """``p(y=c | x)`` under the fitted mixture: (n, C)."""
        if not hasattr(self, "means_"):
            raise RuntimeError("SemiSupervisedGMM is not fitted yet: call fit first")
        X = _as_points(X).astype(np.float64)
        if X.shape[1] != self.means_.shape[1]:
            raise ValueError(f"X must have {self.means_.shape[1]} features, got X.shape={X.shape}")
        lj = self._log_joint(X)
        return np.exp(lj - self._logsumexp(lj)[:, None])

    def predict(self, X):
        """The most probable class of each point."""
        return self.predict_proba(X).argmax(axis=1)

    def __repr__(self):
        return (f"SemiSupervisedGMM(covariance={self.covariance!r}, reg_covar={self.reg_covar}, "
                f"max_iter={self.max_iter}, unlabeled_weight={self.unlabeled_weight})")
