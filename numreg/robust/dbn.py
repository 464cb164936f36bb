"""The deep belief network (§20.3), greedily pre-trained (Hinton, Osindero & Teh 2006), and its sparse form (sDBN).

A DBN of ``sizes = [n_visible, h1, h2, ...]`` is a stack of RBMs, the
``l``-th with ``sizes[l]`` visible and ``sizes[l+1]`` hidden units. Greedy
layer-wise training (Hinton, Osindero & Teh 2006; the book's §20.3)
trains the first RBM on the data, then each next RBM on the previous one's
hidden probabilities ``P(h_l = 1 | h_{l-1})``; each added layer improves a
variational lower bound on the log-likelihood.

For classification the stack becomes a feed-forward network -- its
weights ``W_l`` and hidden biases ``c_l`` become ``Linear`` layers with
sigmoid units, a new output layer is added, and the whole is fine-tuned
by back-propagation (``to_mlp`` then ``nr.fit``), which makes pretraining a
form of unsupervised initialisation, and so a regularizer (§7.6, §15.1).

Tang & Eliasmith's sparse DBN (sDBN) gives the first RBM a local ``mask``
(``nr.local_mask``): each first-layer unit sees one small window of the
image, so a corrupted patch disturbs only the units looking at it, and
``denoise`` can find and fill them in.

References
----------
Hinton, Osindero & Teh (2006), "A fast learning algorithm for deep belief nets", Neural Computation.
Tang & Eliasmith (2010), "Deep networks for robust visual recognition", ICML.
"""
import numpy as np

from ..core import checks
from ..core.layers import Flatten, Linear, Sigmoid
from ..core.model import Sequential
from .denoising import FillIn, calibrate_threshold, denoise, fill_in, first_layer_activities, implicated_pixels
from .rbm import RBM
from .sparse_connectivity import SparseLinear

__all__ = ["DBN"]


class DBN:
    """A stack of RBMs, ``sizes = [n_visible, h1, h2, ...]``, pre-trained greedily layer by layer.

    Parameters
    ----------
    sizes : sequence of int
        Widths of the visible layer and of every hidden layer; at least two
        entries (one RBM), each a positive integer.
    mask : array_like of bool or 0/1, (sizes[0], sizes[1]), or None, default None
        Connectivity of the first RBM (e.g. ``nr.local_mask((28, 28), sizes[1], 10)``
        for Tang & Eliasmith's sparse DBN); the upper RBMs are fully connected.
    seed : int or None, default None
        Seed of every RBM's initial weights and generator (each its own,
        spawned in order).
    dtype : dtype, default float32

    Attributes
    ----------
    rbms : list of RBM
        ``rbms[l]`` has ``sizes[l]`` visible and ``sizes[l+1]`` hidden units.
    sizes : list of int
    mask : ndarray of bool or None
    """

    def __init__(self, sizes, mask=None, seed=None, dtype=np.float32):
        sizes = checks.sequence("sizes", sizes, "a list [n_visible, h1, ...]")
        if len(sizes) < 2:
            raise ValueError(f"sizes must give at least one layer, [n_visible, h1, ...], got sizes={sizes!r}")
        self.sizes = [checks.count(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
        dtype = checks.float_dtype("dtype", dtype)
        root = checks.generator("seed", seed)
        self.rbms = [RBM(a, b, mask=mask if l == 0 else None, seed=int(root.integers(2**63)), dtype=dtype)
                     for l, (a, b) in enumerate(zip(self.sizes[:-1], self.sizes[1:]))]
        self.mask = self.rbms[0].mask

    def __repr__(self):
        return f"DBN(sizes={self.sizes}, sparse={self.mask is not None})"

    def parameters(self):
        """Every RBM's ``W``, ``b``, ``c``, bottom first."""
        return [p for r in self.rbms for p in r.parameters()]

    def pretrain(self, X, epochs=10, batch_size=100, lr=0.1, k=1, verbose=False, seed=None, **options):
        """Greedy layer-wise training (Hinton, Osindero & Teh 2006): RBM ``l`` on ``P(h_{l-1} | x)``.

        Parameters
        ----------
        X : array_like, (n, sizes[0]) or images (n, H, W)
            Binary data or intensities in [0, 1] (see ``RBM``).
        epochs, batch_size, lr, k : as ``RBM.fit`` (defaults 10, 100, 0.1, 1)
            The same for every layer.
        verbose : bool, default False
            A progress bar per layer.
        seed : int or None, default None
            Seed of the training draws; layer ``l`` gets its own seed spawned
            from it (bit-identical for a seed). None: each RBM's generator.
        **options
            Passed to every ``RBM.fit`` (``persistent``, ``momentum``,
            ``weight_decay``, ``sparsity_target``, ...).

        Returns
        -------
        self
        """
        seeds = (checks.generator("seed", seed).integers(2**63, size=len(self.rbms)) if seed is not None
                 else [None] * len(self.rbms))
        H = X
        for rbm, s in zip(self.rbms, seeds):
            rbm.fit(H, epochs=epochs, batch_size=batch_size, lr=lr, k=k, verbose=verbose,
                    seed=None if s is None else int(s), **options)
            H = rbm.transform(H)
        return self

    def transform(self, X):
        """The top layer's ``P(h_L = 1 | x)``, layer by layer (mean-field up-pass)."""
        H = self.rbms[0]._v(X, "X")
        for rbm in self.rbms:
            H = rbm.transform(H)
        return H

    def to_mlp(self, n_classes, seed=None):
        """The pre-trained network as a classifier: ``Sequential(Flatten, (Sparse)Linear, Sigmoid, ..., Linear)``.

        Layer ``l`` computes ``sigmoid(h W_l + c_l)``, ``P(h_l = 1 | h_{l-1})``
        of RBM ``l``, with ``W_l`` and ``c_l`` copied from it; the first layer
        is a ``SparseLinear`` with the DBN's mask when it has one (so the
        mask is kept through fine-tuning). A new output ``Linear(sizes[-1],
        n_classes)`` (PyTorch's initialisation, from ``seed``) gives the
        logits, for ``nr.SoftmaxCrossEntropy`` and ``nr.fit``.

        Parameters
        ----------
        n_classes : int
        seed : int or None, default None
            Seed of the output layer's initial weights.

        Returns
        -------
        Sequential
            Independent of the DBN (the weights are copied).
        """
        n_classes = checks.count("n_classes", n_classes)
        dt = self.rbms[0].W.dtype
        layers = [Flatten()]
        for l, rbm in enumerate(self.rbms):
            if l == 0 and self.mask is not None:
                lin = SparseLinear(rbm.n_visible, rbm.n_hidden, self.mask, dtype=dt)
            else:
                lin = Linear(rbm.n_visible, rbm.n_hidden, dtype=dt)
            lin.W.data[...] = rbm.W.data
            lin.b.data[...] = rbm.c.data
            layers += [lin, Sigmoid()]
        layers.append(Linear(self.sizes[-1], int(n_classes), seed=seed, dtype=dt))
        return Sequential(*layers)

    def denoise(self, X, model=None, fraction=0.1, iterations=3, steps=1, batch_size=1024, threshold=None):
        """Tang & Eliasmith's denoising: fill in the first-layer units where bottom-up and top-down disagree.

        The top-down model is the second RBM (a model of the first hidden
        layer). For each example:

        1. ``h_bu = P(h1 | x)``: the first RBM's ``p_h`` (or, given ``model``,
           its fine-tuned first layer);
        2. ``h_td = P(h1 | P(h2 | h))``: ``steps`` mean-field up-down passes of
           the second RBM from the current ``h`` (first ``h = h_bu``);
        3. ``d = |h_bu - h_td|``; the ``ceil(fraction * h1)`` units of largest
           ``d`` -- of those, only the ones with ``d_j > threshold_j`` -- are
           unclamped and take their top-down value, the others keep their
           bottom-up one;
        4. steps 2-3 are repeated ``iterations`` times; the result is classified
           by ``model``'s layers above the first (given ``model``).

        The pixels implicated are those in an unclamped unit's receptive field.

        Parameters
        ----------
        X : array_like, (n, sizes[0]) or images
            The (corrupted) inputs, in [0, 1].
        model : Sequential or None, default None
            The classifier from ``to_mlp`` (fine-tuned); None: only the
            denoised hidden state, no classification.
        fraction : float in (0, 1], default 0.1
            ``rho``, the share of first-layer units unclamped.
        iterations : int >= 1, default 3
        steps : int >= 1, default 1
        batch_size : int, default 1024
        threshold : float, ndarray (h1,) or None, default None
            Per-unit ``tau_j``; ``dbn.calibrate(X_clean)`` gives the 0.99-quantile
            of the clean disagreement (``numreg.robust.denoising.calibrate_threshold``).

        Returns
        -------
        Denoised (with ``model``) or FillIn (without); see ``numreg.robust.denoising``.
            Without ``model``, the implicated pixels are ``implicated_pixels(fill.unclamped, dbn.mask)``.
        """
        if len(self.rbms) < 2:
            raise ValueError(f"denoise needs a second RBM as the top-down model; this DBN has sizes={self.sizes}")
        top = self.rbms[1]
        if model is not None:
            return denoise(model, top, X, fraction, iterations, steps, batch_size, threshold)
        return fill_in(self.rbms[0].p_h(X), top, fraction, iterations, steps, threshold)

    def calibrate(self, X, quantile=0.99, steps=1, model=None):
        """Per-unit thresholds for ``denoise``: the ``quantile`` of the clean disagreement on ``X``.

        ``X`` are clean inputs (e.g. training images); the bottom-up
        activities are the first RBM's, or ``model``'s first layer's.
        """
        if len(self.rbms) < 2:
            raise ValueError(f"calibrate needs a second RBM as the top-down model; this DBN has sizes={self.sizes}")
        H = self.rbms[0].p_h(X) if model is None else first_layer_activities(model, X)
        return calibrate_threshold(H, self.rbms[1], quantile, steps)

    def implicated_pixels(self, fill):
        """The pixels in the receptive field of a unit ``fill`` unclamped (needs a mask)."""
        if self.mask is None:
            raise ValueError("a dense DBN has no receptive fields: every pixel reaches every unit")
        if not isinstance(fill, FillIn):
            fill = fill.fill
        return implicated_pixels(fill.unclamped, self.mask)
