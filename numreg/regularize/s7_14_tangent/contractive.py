r"""The contractive autoencoder and the manifold tangent classifier (§7.14; Rifai et al. 2011).

The book (§7.14): "the manifold tangent classifier ... eliminates the need to
know the tangent vectors a priori ... autoencoders can estimate the manifold
tangent vectors. The manifold tangent classifier makes use of this technique
to avoid needing user-specified tangent vectors." The estimator is the
contractive autoencoder (§14.7): an encoder ``h = f(x) = sigmoid(x W + b)``
trained to reconstruct ``x`` while its Jacobian is penalized,

.. math::  \Omega(h) = \lambda \left\| \frac{\partial f(x)}{\partial x} \right\|_F^2 ,  \qquad (14.18)

so that ``f`` is contracted in every direction except those the data need
to be told apart: the leading right singular vectors of ``J = df/dx`` span
the estimated tangent plane of the data manifold at ``x`` (Rifai, Dauphin,
Vincent, Bengio & Muller 2011). The manifold tangent classifier then
trains a classifier with tangent prop (Eq. 7.67) along those vectors.

For the sigmoid encoder ``J_ji = s_j W_ij`` with ``s = h (1 - h)``, so

    ||J||_F^2 = sum_j s_j^2 q_j,   q_j = sum_i W_ij^2,

averaged over the batch, and (with ``ds/dz = s (1 - 2h)``)

    dOmega/dz_nj = (2/n) s_nj^2 (1 - 2 h_nj) q_j,
    dOmega/dW    = X^T dOmega/dz + 2 W * mean_n(s^2),   dOmega/db = sum_n dOmega/dz.

The reconstruction is ``sigmoid(h W' + c)`` with the cross-entropy
``-(1/n) sum [x log r + (1 - x) log (1 - r)]`` (inputs in [0, 1]), whose
gradient in the decoder's logits is ``(r - x) / n``.
"""
import numpy as np

from ...core import checks
from ...core.layers import Linear, Sigmoid, Flatten
from ...core.model import Sequential
from ...core.optim import Adam

__all__ = ["ContractiveAutoencoder", "contraction", "contraction_grad"]


def contraction(h, W):
    """``mean_n ||df(x_n)/dx||_F^2`` of the sigmoid encoder: ``h (n, m)``, ``W (D, m)`` -> float."""
    s = h * (1 - h)
    return float(np.sum((s * s) @ np.sum(W * W, axis=0), dtype=np.float64)) / len(h)


def contraction_grad(x, h, W):
    """``(dOmega/dW (D, m), dOmega/db (m,))`` of :func:`contraction` for inputs ``x (n, D)``."""
    n = len(h)
    s2 = (h * (1 - h)) ** 2
    q = np.sum(W * W, axis=0)
    dz = (2.0 / n) * s2 * (1 - 2 * h) * q
    return x.T @ dz + 2 * W * s2.mean(axis=0), dz.sum(axis=0)


def _bce(logits, x):
    """Mean over the batch of the summed binary cross-entropy, and its gradient in the logits."""
    # log sigmoid(z) = -log(1 + e^-z), log(1 - sigmoid(z)) = -z - log(1 + e^-z): computed stably
    softplus = np.logaddexp(0, -logits)
    loss = float(np.sum(x * softplus + (1 - x) * (logits + softplus), dtype=np.float64)) / len(x)
    r = np.exp(-softplus)                                   # sigmoid(z)
    return loss, (r - x) / len(x)


class ContractiveAutoencoder:
    """A contractive autoencoder with a sigmoid encoder (Rifai et al. 2011; Eq. 14.18) and its learned tangents.

    Parameters
    ----------
    n_visible : int
        Input size ``D`` (784 for 28 x 28 images; inputs are flattened).
    n_hidden : int
        Code size ``m``.
    lam : float, default 0.1
        The book's ``lambda``, weight of ``||J||_F^2``, ``>= 0``.
    seed : int or None, default None
        Initial weights.
    dtype : dtype, default float32

    Attributes
    ----------
    encoder : Sequential(Flatten, Linear(D, m), Sigmoid)
    decoder : Sequential(Linear(m, D))  (logits of the reconstruction)
    history_ : list of (reconstruction loss, contraction) per epoch, after ``fit``.
    """

    def __init__(self, n_visible, n_hidden, lam=0.1, seed=None, dtype=np.float32):
        n_visible, n_hidden = checks.count("n_visible", n_visible), checks.count("n_hidden", n_hidden)
        self.lam = checks.nonnegative("lam", lam)
        dtype = checks.float_dtype("dtype", dtype)
        root = checks.generator("seed", seed)
        self.encoder = Sequential(Flatten(), Linear(n_visible, n_hidden, seed=root.integers(2**63), dtype=dtype),
                                  Sigmoid())
        self.decoder = Sequential(Linear(n_hidden, n_visible, seed=root.integers(2**63), dtype=dtype))
        self.history_ = []

    @property
    def W(self):
        """The encoder's weights ``(D, m)`` (a Parameter)."""
        return self.encoder[1].W

    def parameters(self):
        return self.encoder.parameters() + self.decoder.parameters()

    def loss_and_grad(self, X):
        """Forward and backward on a batch; adds the objective's gradient to the parameters' ``.grad``.

        Parameters
        ----------
        X : ndarray, (n, ...)
            A batch, values in [0, 1].

        Returns
        -------
        (float, float)
            The reconstruction cross-entropy (mean over the batch) and the
            contraction ``mean ||J||_F^2``; the objective is
            ``reconstruction + lam * contraction``.
        """
        x = X.reshape(len(X), -1)
        h = self.encoder.forward(X)
        logits = self.decoder.forward(h)
        rec, dlogits = _bce(logits, x)
        dh = self.decoder.backward(dlogits)
        self.encoder.backward(dh, input_grad=False)
        W, b = self.encoder[1].W, self.encoder[1].b
        omega = contraction(h, W.data)
        if self.lam:
            dW, db = contraction_grad(x, h, W.data)
            W.grad += dW * W.dtype.type(self.lam)
            b.grad += db * b.dtype.type(self.lam)
        return rec, omega

    def fit(self, X, epochs=10, batch_size=100, lr=1e-3, seed=None):
        """Train by mini-batch Adam on ``reconstruction + lam * contraction``.

        Parameters
        ----------
        X : ndarray, (n, ...)
            Inputs with values in [0, 1] (flattened to ``(n, D)``); no labels.
        epochs : int, default 10
            Passes over ``X``.
        batch_size : int, default 100
        lr : float, default 1e-3
            Adam's step size.
        seed : int or None, default None
            Seed of the shuffling.

        Returns
        -------
        self
            With ``history_`` extended by one ``(reconstruction, contraction)``
            pair per epoch (means over the epoch's examples).
        """
        X = self._inputs(X)
        epochs, batch_size = checks.count("epochs", epochs), checks.count("batch_size", batch_size)
        params = self.parameters()
        opt = Adam(params, lr=lr)
        rng = checks.generator("seed", seed)
        for _ in range(epochs):
            order, tot = rng.permutation(len(X)), np.zeros(2)
            for s in range(0, len(X), batch_size):
                idx = order[s:s + batch_size]
                opt.zero_grad()
                tot += np.array(self.loss_and_grad(X[idx])) * len(idx)
                opt.step()
            self.history_.append(tuple(tot / len(X)))
        return self

    def encode(self, X):
        """``h = sigmoid(x W + b)``: ``(n, m)``."""
        return self.encoder.forward(self._inputs(X))

    def _inputs(self, X):
        """``X`` as finite floats of the weights' dtype, ``(n, ...)`` with ``n_visible`` numbers per example."""
        X = checks.float_array("X", X, min_ndim=2, dtype=self.W.dtype)
        D = self.W.shape[0]
        if int(np.prod(X.shape[1:])) != D:
            raise ValueError(f"X must have examples of n_visible={D} numbers, got X.shape={X.shape}")
        return X

    def jacobian(self, X):
        """``df/dx`` per example: ``(n, m, D)``, ``J_ji = s_j W_ij``."""
        h = self.encode(X)
        return (h * (1 - h))[:, :, None] * self.W.data.T[None]

    def tangents(self, X, k=5):
        """The ``k`` leading right singular vectors of ``J(x)`` per example: ``(n, k, D)``, orthonormal rows.

        From the ``m x m`` matrix ``J J^T = S W^T W S`` (``S = diag(s)``), whose
        leading eigenvectors ``u`` give ``v = J^T u / sigma = W (s * u) / sigma``:
        no ``D x D`` or ``m x D`` decomposition per example.
        """
        k = checks.integer("k", k, low=1, high=self.W.shape[1])   # at most n_hidden
        h = self.encode(X).astype(np.float64)
        s = h * (1 - h)                                           # (n, m)
        W = self.W.data.astype(np.float64)
        G = W.T @ W                                               # (m, m)
        JJt = s[:, :, None] * G[None] * s[:, None, :]
        w, U = np.linalg.eigh(JJt)                                # ascending
        U, w = U[:, :, ::-1][:, :, :k], w[:, ::-1][:, :k]
        V = np.einsum("dm,nmk->nkd", W, s[:, :, None] * U) / np.sqrt(np.maximum(w, 1e-300))[:, :, None]
        return V.astype(self.W.dtype)

    def classifier(self, n_classes, seed=None):
        """The manifold tangent classifier's network: ``Flatten, Linear(D, m), Sigmoid, Linear(m, n_classes)``.

        The first layer starts from a copy of the encoder (the pretraining of
        Rifai et al.); the output layer is new (drawn from ``seed``).
        """
        n_classes = checks.count("n_classes", n_classes)
        lin = self.encoder[1]
        first = Linear(lin.in_features, lin.out_features, dtype=lin.W.dtype)
        first.W.data[...] = lin.W.data
        first.b.data[...] = lin.b.data
        out = Linear(lin.out_features, n_classes, seed=seed, dtype=lin.W.dtype)
        return Sequential(Flatten(), first, Sigmoid(), out)
