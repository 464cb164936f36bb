"""The restricted Boltzmann machine (§16.7.1, §20.2), trained by CD-k (Hinton 2002) or PCD (Tieleman 2008).

A Bernoulli-Bernoulli RBM has binary visible units ``v`` and binary hidden
units ``h``, joined only across the two layers, with the book's energy
(Eq. 16.10 in §16.7.1; Eq. 20.5 in §20.2)

    E(v, h) = -b^T v - c^T h - v^T W h,        P(v, h) = exp(-E(v, h)) / Z.

Because no unit is joined to another of its own layer, both conditionals
factorize (§20.2, "conditional distributions"):

    P(h_j = 1 | v) = sigmoid(c_j + v^T W[:, j]),
    P(v_i = 1 | h) = sigmoid(b_i + W[i, :] h),

and ``h`` sums out of ``P(v)`` in closed form, through the free energy

    F(v) = -b^T v - sum_j softplus(c_j + v^T W[:, j]),    P(v) = exp(-F(v)) / Z.

The log-likelihood gradient is the positive phase minus the negative phase
(§18.1):

    d log P(v) / dW = v P(h=1|v)^T - E_model[v P(h=1|v)^T],
    d log P(v) / db = v - E_model[v],   d log P(v) / dc = P(h=1|v) - E_model[P(h=1|v)].

The model expectation is intractable; contrastive divergence (Hinton 2002;
the book's Algorithm 18.2) replaces it by the end of a k-step Gibbs chain
started at the data, persistent CD / stochastic maximum likelihood
(Tieleman 2008; Algorithm 18.3) by chains carried on from one update to
the next. ``numreg.robust.rbm_exact`` sums over every state of a small RBM
(``exact_log_partition``, ``exact_log_likelihood``, ``exact_gradient``), to check all of it.

References
----------
Hinton (2002), "Training products of experts by minimizing contrastive divergence", Neural Computation.
Tieleman (2008), "Training restricted Boltzmann machines using approximations to the likelihood
gradient", ICML.
Hinton (2010), "A practical guide to training restricted Boltzmann machines", UTML TR 2010-003.
Lee, Ekanadham & Ng (2008), "Sparse deep belief net model for visual area V2", NIPS.
"""
import numpy as np

from ..core.module import Module
from ..core.parameter import Parameter
from ..core import checks
from .units import check_mask as _check_mask, check_units
from .units import bernoulli as _bernoulli, sigmoid_ as _sigmoid_, softplus as _softplus
from .rbm_training import train

__all__ = ["RBM"]


class RBM(Module):
    """Bernoulli-Bernoulli restricted Boltzmann machine, ``E(v, h) = -b^T v - c^T h - v^T W h``.

    Parameters
    ----------
    n_visible : int
        Number of visible units ``v`` (pixels; images are flattened row by row).
    n_hidden : int
        Number of hidden units ``h``.
    mask : array_like of bool or 0/1, shape (n_visible, n_hidden), or None, default None
        Connectivity: ``W[i, j]`` exists only where ``mask[i, j]`` is 1 (e.g.
        ``nr.local_mask((28, 28), 500, 10)`` for Tang & Eliasmith's sparse,
        local first layer). Absent connections are 0 and stay 0 in every
        update (momentum, weight decay and the sparsity term included).
        None: fully connected.
    seed : int or None, default None
        Seed of the initial weights and of the generator ``rng`` that the
        samplers and ``fit`` draw from when not given a seed of their own.
    dtype : dtype, default float32
        Of the parameters and of every computation (float64 for exact checks).

    Attributes
    ----------
    W : Parameter, (n_visible, n_hidden), ``regularized=True``
        Initialised ``N(0, 0.01^2)`` (Hinton's practical guide), zero outside ``mask``.
    b : Parameter, (n_visible,), ``regularized=False``
        Visible biases, initialised 0.
    c : Parameter, (n_hidden,), ``regularized=False``
        Hidden biases, initialised 0.
    mask : ndarray of bool or None
    rng : numpy.random.Generator
    history : dict of list
        After ``fit``: ``"reconstruction_error"`` and ``"pseudo_log_likelihood"``,
        one entry per epoch (see ``fit``); a later ``fit`` call appends to them.

    Notes
    -----
    Input rule: every visible argument must be binary or hold intensities
    in [0, 1]; intensities are treated as probabilities. In training, the
    data term (positive phase) uses the intensities themselves, not
    binary samples of them, as Hinton's guide recommends (less sampling
    noise; the expectation of a sampled binary ``v`` is the intensity).
    A value outside [0, 1], a NaN or a wrong width raises ``ValueError``.
    """

    def __init__(self, n_visible, n_hidden, mask=None, seed=None, dtype=np.float32):
        self.n_visible = checks.count("n_visible", n_visible)
        self.n_hidden = checks.count("n_hidden", n_hidden)
        self.dtype = checks.float_dtype("dtype", dtype)
        self.mask = None if mask is None else _check_mask(mask, (self.n_visible, self.n_hidden))
        init = checks.generator("seed", seed)
        W = (0.01 * init.standard_normal((self.n_visible, self.n_hidden))).astype(self.dtype)
        if self.mask is not None:
            W *= self.mask
        self.W = Parameter(W, "W", regularized=True)
        self.b = Parameter(np.zeros(self.n_visible, self.dtype), "b", regularized=False)
        self.c = Parameter(np.zeros(self.n_hidden, self.dtype), "c", regularized=False)
        self.rng = np.random.default_rng(init.integers(2**63))
        self.history = {"reconstruction_error": [], "pseudo_log_likelihood": []}

    def parameters(self):
        return [self.W, self.b, self.c]

    def astype(self, dtype):
        dtype = checks.float_dtype("dtype", dtype)
        super().astype(dtype)
        self.dtype = dtype
        return self

    def extra_repr(self):
        conn = "" if self.mask is None else f", connections={int(self.mask.sum())}/{self.mask.size}"
        return f"n_visible={self.n_visible}, n_hidden={self.n_hidden}{conn}"

    # -- the model ---------------------------------------------------------------------------

    def _v(self, V, name="V"):
        return check_units(V, self.n_visible, name, self.dtype)

    def _h(self, H, name="H"):
        return check_units(H, self.n_hidden, name, self.dtype)

    def energy(self, V, H):
        """``E(v, h) = -b^T v - c^T h - v^T W h`` (Eq. 16.10 / 20.5) of each row pair.

        (n, n_visible), (n, n_hidden) -> (n,).
        """
        V, H = self._v(V), self._h(H)
        if len(V) != len(H):
            raise ValueError(f"V and H must have as many rows, got {len(V)} and {len(H)}")
        return -(V @ self.b.data) - H @ self.c.data - np.einsum("nj,nj->n", V @ self.W.data, H)

    def free_energy(self, V):
        """Free energy ``F(v) = -b^T v - sum_j softplus(c_j + v^T W[:, j])``: (n, n_visible) -> (n,).

        ``P(v) = exp(-F(v)) / Z``.

        Obtained by summing ``exp(-E(v, h))`` over the ``2^n_hidden`` states of
        ``h``, which factorizes over the hidden units:
        ``sum_h exp(-E) = exp(b^T v) prod_j (1 + exp(c_j + v^T W[:, j]))``.
        """
        V = self._v(V)
        return -(V @ self.b.data) - _softplus(V @ self.W.data + self.c.data).sum(axis=1)

    def p_h(self, V):
        """``P(h_j = 1 | v) = sigmoid(c_j + v^T W[:, j])`` (§20.2): (n, n_visible) -> (n, n_hidden)."""
        return self._p_h(self._v(V))

    transform = p_h

    def p_v(self, H):
        """``P(v_i = 1 | h) = sigmoid(b_i + W[i, :] h)`` (§20.2): (n, n_hidden) -> (n, n_visible)."""
        return self._p_v(self._h(H))

    def _p_h(self, V):
        a = V @ self.W.data
        a += self.c.data
        return _sigmoid_(a)

    def _p_v(self, H):
        a = H @ self.W.data.T
        a += self.b.data
        return _sigmoid_(a)

    def sample_h(self, V, seed=None):
        """Binary ``h ~ P(h | v)``, one draw per row, from ``default_rng(seed)`` (or ``self.rng`` if None)."""
        return _bernoulli(self.p_h(V), self._rng(seed))

    def sample_v(self, H, seed=None):
        """Binary ``v ~ P(v | h)``, one draw per row, from ``default_rng(seed)`` (or ``self.rng`` if None)."""
        return _bernoulli(self.p_v(H), self._rng(seed))

    def _rng(self, seed):
        return self.rng if seed is None else checks.generator("seed", seed)

    def gibbs(self, V, k=1, seed=None):
        """``k`` steps of block Gibbs sampling from ``V``: ``h ~ P(h|v)``, then ``v ~ P(v|h)``, k times.

        Parameters
        ----------
        V : array_like, (n, n_visible)
            Start of the ``n`` chains (intensities are sampled first in the
            hidden step, so they act as probabilities).
        k : int, default 1
            Number of full steps, >= 1.
        seed : int or None, default None
            None: draw from ``self.rng``.

        Returns
        -------
        ndarray, (n, n_visible)
            The binary visible states after ``k`` steps.
        """
        k = checks.count("k", k)
        return self._chain(self._v(V), k, self._rng(seed))[0]

    def sample(self, n, k=1000, seed=None):
        """``n`` visible samples of the model: Gibbs chains from uniformly random binary ``v``, ``k`` steps each."""
        n = checks.count("n", n)
        rng = self._rng(seed)
        V = _bernoulli(np.full((n, self.n_visible), 0.5, self.dtype), rng)
        return self._chain(V, checks.count("k", k), rng)[0]

    def _chain(self, V, k, rng, Ph=None):
        """k Gibbs steps from ``V`` (whose ``P(h|v)`` is ``Ph`` if known): returns ``(V_k, P(h|V_k))``."""
        Ph = self._p_h(V) if Ph is None else Ph
        for _ in range(k):
            V = _bernoulli(self._p_v(_bernoulli(Ph, rng)), rng)
            Ph = self._p_h(V)
        return V, Ph

    # -- the gradient ------------------------------------------------------------------------

    def gradient_estimate(self, V, k=1, seed=None, chain=None):
        """The CD-k (or PCD) estimate of ``d mean log P(v) / d(W, b, c)`` on the batch ``V``.

        Positive phase at the data, negative phase at the end of ``k`` Gibbs
        steps (Algorithm 18.2; Hinton 2002):

            dW = (V^T P(h|V) - V_k^T P(h|V_k)) / n,  db = mean(V - V_k),  dc = mean(P(h|V) - P(h|V_k)),

        where the chains start at ``V`` (CD) or at ``chain`` (PCD, Algorithm
        18.3). As ``k`` grows this tends to the exact gradient (a chain's
        end tends to a sample of the model).

        Parameters
        ----------
        V : array_like, (n, n_visible)
        k : int, default 1
        seed : int or None, default None
            None: draw from ``self.rng``.
        chain : ndarray or None, default None
            Start of the negative chains (PCD); None: the data.

        Returns
        -------
        (dW, db, dc, V_k) : ndarrays; dW is zero outside the mask.
        """
        V = self._v(V)
        return self._gradient(V, checks.count("k", k), self._rng(seed), chain)

    def _gradient(self, V, k, rng, chain, step=1.0):
        """``step`` times the gradient estimate (``fit`` passes its learning rate, saving a pass over W)."""
        P0 = self._p_h(V)
        if chain is None:
            Vk, Pk = self._chain(V, k, rng, Ph=P0)
        else:
            Vk, Pk = self._chain(chain, k, rng)
        n = V.shape[0]
        # One product for both phases: [V; V_k]^T [P0; -P_k] = V^T P0 - V_k^T P_k.
        dW = np.concatenate([V, Vk]).T @ np.concatenate([P0, -Pk])
        dW *= self.dtype.type(step / n)
        if self.mask is not None:
            dW *= self.mask
        db = V.mean(axis=0) - Vk.mean(axis=0)
        dc = P0.mean(axis=0) - Pk.mean(axis=0)
        if step != 1.0:
            db *= self.dtype.type(step)
            dc *= self.dtype.type(step)
        return dW, db, dc, Vk, P0

    # -- training ----------------------------------------------------------------------------

    def fit(self, X, epochs=10, batch_size=100, lr=0.1, k=1, persistent=False, momentum=0.0,
            weight_decay=0.0, sparsity_target=None, sparsity_cost=0.1, sparsity_decay=0.9,
            monitor_size=1000, verbose=False, seed=None):
        """Train by stochastic gradient ascent on the log-likelihood, with CD-k or persistent CD.

        Each step, on a mini-batch ``V`` of ``m`` examples (Hinton's guide, §§3-10):

            g = gradient_estimate(V, k)                       (CD-k, Algorithm 18.2; PCD, Algorithm 18.3)
            g_W -= weight_decay * W                           (the chapter's L2, Eq. 7.5: alpha * W, biases excluded)
            g_c += sparsity_cost * (p - q),  g_W += sparsity_cost * mean(V)^T (p - q)   (sparsity target p)
            velocity = momentum * velocity + lr * g;   theta += velocity   (g_W and velocity zero outside mask)

        Parameters
        ----------
        X : array_like, (n, n_visible) or images (n, H, W) with H*W = n_visible
            Binary data or intensities in [0, 1] (treated as probabilities:
            the positive phase uses them as they are). Not modified; no copy
            is made of float data of the RBM's dtype.
        epochs : int, default 10
            Passes over ``X``, each in a new random order.
        batch_size : int, default 100
            Examples per update, ``m`` (the last batch may be smaller).
        lr : float, default 0.1
            Learning rate ``epsilon`` > 0.
        k : int, default 1
            Gibbs steps of the negative phase (CD-k), >= 1.
        persistent : bool, default False
            False: CD-k, the chains start at each batch. True: persistent CD
            (Tieleman 2008), ``batch_size`` chains started at the first
            batch and carried on from update to update.
        momentum : float in [0, 1), default 0.0
            Weight of the previous update in the velocity (§8.3.2).
        weight_decay : float >= 0, default 0.0
            ``alpha`` of the L2 penalty ``alpha/2 ||W||^2`` on the weights only.
        sparsity_target : float in (0, 1) or None, default None
            ``p``, the wanted mean activation of every hidden unit (Lee,
            Ekanadham & Ng 2008; Hinton's guide §11). ``q`` is a running
            mean of each unit's ``P(h_j=1|v)`` over batches, ``q <- decay q +
            (1 - decay) mean_batch``; ``p - q`` is the derivative of the
            cross-entropy between ``p`` and ``q`` with respect to the unit's
            total input, applied to its bias and incoming weights. None: off.
        sparsity_cost : float >= 0, default 0.1
            Weight of that term.
        sparsity_decay : float in [0, 1), default 0.9
            Decay of the running mean ``q``.
        monitor_size : int, default 1000
            Number of examples (the first ones of ``X``) on which the
            per-epoch monitors are measured.
        verbose : bool, default False
            Show a tqdm progress bar over the batches with the monitors.
        seed : int or None, default None
            Seed of the batch order, the Gibbs draws and the monitors'
            draws: the same seed (and initial parameters) gives bit-identical
            results. None: draw from ``self.rng``.

        Returns
        -------
        self
            ``history["reconstruction_error"]``: per epoch, the mean squared
            error between the monitored examples and their mean-field
            reconstruction ``P(v|P(h|v))``. ``history["pseudo_log_likelihood"]``:
            per epoch, the stochastic pseudo-log-likelihood (§18.3) estimate
            ``n_visible * mean log sigmoid(F(v~) - F(v))``, where ``v~`` is
            ``v`` with one random visible unit flipped (``v_i -> 1 - v_i``).
        """
        return train(self, X, epochs, batch_size, lr, k, persistent, momentum, weight_decay, sparsity_target,
                     sparsity_cost, sparsity_decay, monitor_size, verbose, seed)

    def _monitor(self, V, rng):
        R = self._p_v(self._p_h(V))
        R -= V
        self.history["reconstruction_error"].append(float(np.mean(np.square(R, out=R))))
        self.history["pseudo_log_likelihood"].append(self.pseudo_log_likelihood(V, rng=rng))

    def reconstruction_error(self, V):
        """Mean squared error between ``V`` and its mean-field reconstruction ``P(v | P(h|V))``."""
        V = self._v(V)
        return float(np.mean(np.square(self._p_v(self._p_h(V)) - V)))

    def pseudo_log_likelihood(self, V, seed=None, rng=None):
        """Stochastic pseudo-log-likelihood per example (§18.3), ``n_visible * mean log P(v_i | v_-i)``.

        For each row one visible unit ``i`` is drawn uniformly;
        ``log P(v_i | v_-i) = log sigmoid(F(v~) - F(v))`` where ``v~`` flips
        unit ``i`` (``1 - v_i``). Its expectation over ``i`` is ``1/n_visible``
        times the pseudo-log-likelihood ``sum_i log P(v_i | v_-i)``.
        """
        V = self._v(V)
        rng = self._rng(seed) if rng is None else rng
        i = rng.integers(0, self.n_visible, len(V))
        rows = np.arange(len(V))
        Vf = V.copy()
        Vf[rows, i] = 1 - Vf[rows, i]
        d = (self.free_energy(Vf) - self.free_energy(V)).astype(np.float64)
        return float(self.n_visible * np.mean(-_softplus(-d)))

