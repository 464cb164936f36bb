"""Probabilistic denoising by top-down filling-in (Tang & Eliasmith 2010), for any locally connected classifier.

When part of an image is corrupted (occluded, salted, noisy), only the
first-layer hidden units whose receptive fields cover the corruption see
it -- if the first layer is *local*. Tang & Eliasmith combine the
bottom-up evidence with a top-down expectation from a generative model of
the first hidden layer, find the units on which the two disagree most,
and replace ("fill in") those units' states by the top-down ones before
classifying. Their paper gives the idea; its method section was not at
hand when this was written, so the steps below are a faithful
reconstruction from the abstract and introduction, not a transcription:

1. bottom-up: ``h_bu = P(h1 | x)``, the first layer's sigmoid activities;
2. top-down: with ``h = h_bu``, run ``steps`` mean-field up-down passes of
   the top-down RBM, whose visible layer is the first hidden layer::

       h2 = P(h2 = 1 | h) = sigmoid(c2 + h W2),     h_td = P(h = 1 | h2) = sigmoid(b2 + h2 W2^T)

3. disagreement ``d_j = |h_bu_j - h_td_j|`` for each unit of each example;
4. unclamp the ``ceil(fraction * n_hidden)`` units of largest ``d_j`` --
   of those, only the ones whose ``d_j`` exceeds the unit's threshold
   ``tau_j`` -- and fill them in: ``h = h_bu`` where clamped, ``h_td`` where
   unclamped. The threshold makes the test probabilistic:
   ``calibrate_threshold`` sets ``tau_j`` to the ``q``-quantile of ``d_j`` on
   clean data, so that a unit of a clean input (like the calibration data)
   is unclamped with probability about ``1 - q`` (without it, ``tau = 0``,
   a fixed share of every input, clean or not, is replaced);
5. repeat 2-4 ``iterations`` times (the top-down pass now starts from the
   partly filled-in ``h``, so its expectation improves); then classify ``h``
   with the layers above the first.

The pixels implicated are those inside the receptive field of at least
one unclamped unit (``mask @ unclamped``).

    top = nr.robust.denoising.fit_top_down(model, X_train, n_hidden=200, seed=0)
    H = nr.robust.denoising.first_layer_activities(model, X_train)
    tau = nr.robust.denoising.calibrate_threshold(H, top, quantile=0.99)
    out = nr.robust.denoising.denoise(model, top, X_corrupted, fraction=0.3, iterations=3, threshold=tau)
    out.output.argmax(axis=1), out.unclamped, out.pixels

References
----------
Tang & Eliasmith (2010), "Deep networks for robust visual recognition", ICML.
Lee & Mumford (2003), "Hierarchical Bayesian inference in the visual cortex", JOSA A.
"""
import math
from typing import NamedTuple

import numpy as np

from ..core import checks
from ..core.layers import Flatten, Sigmoid
from ..core.module import Module
from .rbm import RBM
from .units import check_units
from .sparse_connectivity import SparseLinear

__all__ = ["FillIn", "Denoised", "Denoiser", "top_down_pass", "fill_in", "calibrate_threshold",
           "implicated_pixels", "split_first_layer", "first_layer_activities", "denoise", "fit_top_down"]


class FillIn(NamedTuple):
    """What ``fill_in`` found: every array has one row per example."""
    hidden: np.ndarray         # (n, n_hidden) the filled-in first-layer state
    bottom_up: np.ndarray      # (n, n_hidden) h_bu = P(h1 | x)
    top_down: np.ndarray       # (n, n_hidden) the last top-down expectation h_td
    unclamped: np.ndarray      # (n, n_hidden) bool: the units filled in at the last iteration
    disagreement: np.ndarray   # (n, n_hidden) |h_bu - h_td| at the last iteration


class Denoised(NamedTuple):
    """What ``denoise`` returns: the classifier's output before and after, and the ``FillIn``."""
    output: np.ndarray         # (n, n_classes) the model's output on the filled-in hidden state
    output_before: np.ndarray  # (n, n_classes) its output without denoising
    fill: FillIn
    pixels: np.ndarray         # (n, n_visible) bool: pixels in an unclamped unit's receptive field

    @property
    def unclamped(self):
        return self.fill.unclamped


def _check(fraction, iterations, steps):
    checks.probability("fraction", fraction, allow_one=True, allow_zero=False)
    checks.count("iterations", iterations)
    checks.count("steps", steps)


def top_down_pass(top, H, steps=1):
    """``steps`` mean-field up-down passes through the RBM ``top`` from ``H``: ``h <- P(v | P(h2 | h))``.

    Parameters
    ----------
    top : RBM
        Its visible layer is the first hidden layer (``top.n_visible == H.shape[1]``).
    H : ndarray, (n, top.n_visible), values in [0, 1]
    steps : int, default 1

    Returns
    -------
    ndarray, (n, top.n_visible)
        The top-down expectation of the first hidden layer.
    """
    for _ in range(steps):
        H = top.p_v(top.p_h(H))
    return H


def fill_in(H, top, fraction=0.1, iterations=3, steps=1, threshold=None):
    """Fill in the ``fraction`` of first-layer units on which bottom-up and top-down disagree most.

    Parameters
    ----------
    H : array_like, (n, n_hidden), values in [0, 1]
        Bottom-up first-layer activities ``h_bu`` (e.g. ``rbm.p_h(x)``).
    top : RBM
        A generative model of the first hidden layer (its visible units).
    fraction : float in (0, 1], default 0.1
        ``rho``: the share of the units unclamped in each example,
        ``ceil(rho * n_hidden)`` of them.
    iterations : int, default 3
        Times the top-down pass, the comparison and the filling-in are repeated.
    steps : int, default 1
        Mean-field up-down passes per top-down expectation.
    threshold : float, ndarray (n_hidden,) or None, default None
        ``tau``: a unit is unclamped only if its ``d_j > tau_j`` as well
        (``calibrate_threshold`` gives a per-unit one). None: 0.

    Returns
    -------
    FillIn

    Notes
    -----
    Iteration ``t`` (from ``h = h_bu``)::

        h_td = top_down_pass(top, h, steps)
        d    = |h_bu - h_td|
        U    = the ceil(rho * n_hidden) largest d_j of each row, and d_j > tau_j
        h    = where(U, h_td, h_bu)

    Deterministic (mean-field), vectorized over the batch.
    """
    _check(fraction, iterations, steps)
    if not isinstance(top, RBM):
        raise ValueError(f"top must be an RBM over the first hidden layer, got top={top!r}")
    Hbu = check_units(H, top.n_visible, "H", top.dtype)
    m = Hbu.shape[1]
    n_free = min(m, math.ceil(fraction * m))
    tau = _threshold(threshold, m)
    rows = np.arange(len(Hbu))[:, None]
    h = Hbu
    for _ in range(iterations):
        htd = top_down_pass(top, h, steps)
        d = np.abs(Hbu - htd)
        U = np.zeros(d.shape, bool)
        U[rows, np.argpartition(-d, n_free - 1, axis=1)[:, :n_free]] = True
        if tau is not None:
            U &= d > tau
        h = np.where(U, htd, Hbu)
    return FillIn(h, Hbu, htd, U, d)


def _threshold(threshold, m):
    if threshold is None:
        return None
    tau = np.asarray(threshold, dtype=np.float64)
    if tau.ndim > 1 or (tau.ndim == 1 and tau.shape[0] != m) or not np.all(np.isfinite(tau)):
        raise ValueError(f"threshold must be a finite number or one per unit ({m},), got threshold of shape "
                         f"{tau.shape}")
    return tau


def calibrate_threshold(H, top, quantile=0.99, steps=1):
    """Per-unit thresholds ``tau_j``: the ``quantile`` of ``|h_bu - h_td|`` over clean first-layer activities ``H``.

    With ``fill_in(..., threshold=tau)``, a unit of a clean input (one like
    those of ``H``) is unclamped with probability about ``1 - quantile``
    (at most that at the first iteration):
    a disagreement counts as noise only if clean data rarely show one as large.

    Parameters
    ----------
    H : array_like, (n, n_hidden), in [0, 1]
        Bottom-up activities of clean (training) inputs.
    top : RBM
        The top-down model ``fill_in`` will use.
    quantile : float in (0, 1), default 0.99
    steps : int, default 1
        As ``fill_in``.

    Returns
    -------
    ndarray, (n_hidden,)
    """
    checks.probability("quantile", quantile, allow_zero=False)
    H = check_units(H, top.n_visible, "H", top.dtype)
    return np.quantile(np.abs(H - top_down_pass(top, H, steps)), quantile, axis=0)


def implicated_pixels(unclamped, mask):
    """Pixels inside the receptive field of at least one unclamped unit: ``(unclamped @ mask^T) > 0``.

    Parameters
    ----------
    unclamped : ndarray of bool, (n, n_hidden)
    mask : ndarray of bool, (n_visible, n_hidden)
        The first layer's connectivity (``SparseLinear.mask`` or ``RBM.mask``).

    Returns
    -------
    ndarray of bool, (n, n_visible)
    """
    return (unclamped.astype(np.float32) @ np.asarray(mask, np.float32).T) > 0


def split_first_layer(model):
    """Split a ``Sequential`` into its first layer with its sigmoid, and the layers above.

    Returns ``(first, bottom, rest)``: the ``SparseLinear`` layer, the layers
    up to and including the ``Sigmoid`` after it (a leading ``Flatten`` is
    allowed), and the remaining layers. ValueError when the model does not
    start so: the algorithm needs a local first layer whose activities are
    probabilities.
    """
    layers = list(getattr(model, "layers", []))
    i = 1 if layers and isinstance(layers[0], Flatten) else 0
    if len(layers) < i + 3 or not isinstance(layers[i], SparseLinear) or not isinstance(layers[i + 1], Sigmoid):
        raise ValueError("model must be a Sequential starting [Flatten,] SparseLinear, Sigmoid, ... "
                         "(a locally connected first layer with sigmoid units), got "
                         f"{[type(l).__name__ for l in layers[:i + 2]]}")
    return layers[i], layers[:i + 2], layers[i + 2:]


def _run(layers, X, batch_size):
    outs = []
    for s in range(0, len(X), batch_size):
        h = X[s:s + batch_size]
        for layer in layers:
            h = layer.forward(h)
        outs.append(np.array(h, copy=True))
    return np.concatenate(outs) if outs else np.zeros((0, 0))


class _eval_mode:
    def __init__(self, model):
        self.model, self.mode = model, model.training

    def __enter__(self):
        self.model.eval()

    def __exit__(self, *exc):
        self.model.train(self.mode)


def first_layer_activities(model, X, batch_size=1024):
    """``P(h1 | x)``: the sigmoid activities of ``model``'s locally connected first layer, in evaluation mode."""
    _, bottom, _ = split_first_layer(model)
    with _eval_mode(model):
        return _run(bottom, np.asarray(X), batch_size)


def denoise(model, top, X, fraction=0.1, iterations=3, steps=1, batch_size=1024, threshold=None):
    """Classify ``X`` after filling in the first-layer units most affected by noise (Tang & Eliasmith 2010).

    Parameters
    ----------
    model : Sequential
        A trained classifier starting ``[Flatten,] SparseLinear, Sigmoid``
        (e.g. ``DBN.to_mlp``'s network, or any local-sparse MLP with sigmoid
        first-layer units). Evaluated in evaluation mode, its mode restored.
    top : RBM
        Generative model of the first hidden layer (``top.n_visible`` = the
        first layer's width): the DBN's second RBM, or ``fit_top_down``'s.
    X : ndarray
        Inputs in the layout ``model`` takes (not modified).
    fraction, iterations, steps
        As ``fill_in``: the share ``rho`` of units unclamped, the number of
        fill-in iterations, the mean-field passes per top-down expectation.
    batch_size : int, default 1024
    threshold : float, ndarray or None, default None
        As ``fill_in`` (e.g. from ``calibrate_threshold``).

    Returns
    -------
    Denoised
        ``output`` (after), ``output_before``, the ``FillIn``, and the
        implicated ``pixels``.
    """
    _check(fraction, iterations, steps)
    first, bottom, rest = split_first_layer(model)
    if top.n_visible != first.out_features:
        raise ValueError(f"top must model the first hidden layer: top.n_visible={top.n_visible}, "
                         f"the first layer has {first.out_features} units")
    X = np.asarray(X)
    with _eval_mode(model):
        H = _run(bottom, X, batch_size)
        f = fill_in(H, top, fraction, iterations, steps, threshold)
        before = _run(rest, H.astype(first.W.dtype, copy=False), batch_size)
        after = _run(rest, f.hidden.astype(first.W.dtype, copy=False), batch_size)
    return Denoised(after, before, f, implicated_pixels(f.unclamped, first.mask))


def fit_top_down(model, X, n_hidden, epochs=10, batch_size=100, lr=0.1, k=1, seed=None, **options):
    """Train an RBM on ``model``'s first-layer activities, as the top-down model of ``denoise``.

    For a classifier that was not a DBN (a local-sparse MLP with sigmoid
    first-layer units): the RBM learns ``P(h1)`` from the activities on
    clean training data ``X``. ``options`` go to ``RBM.fit``.

    Returns
    -------
    RBM
        ``n_visible`` = the first layer's width.
    """
    H = first_layer_activities(model, X)
    top = RBM(H.shape[1], n_hidden, seed=seed)
    return top.fit(H, epochs=epochs, batch_size=batch_size, lr=lr, k=k, seed=seed, **options)


class Denoiser(Module):
    """A classifier that denoises before it classifies: ``forward(x) = denoise(model, top, x, ...).output``.

    Wraps a trained ``model`` and its top-down RBM so that whatever takes a
    model -- ``nr.predict``, ``nr.robustness`` -- measures the classifier
    *with* Tang & Eliasmith's filling-in. Inference only (no ``backward``,
    no parameters of its own).

    Parameters
    ----------
    model : Sequential
        Starting ``[Flatten,] SparseLinear, Sigmoid``.
    top : RBM
        Generative model of the first hidden layer.
    fraction, iterations, steps, threshold
        As ``fill_in`` (defaults 0.1, 3, 1, None).
    """

    def __init__(self, model, top, fraction=0.1, iterations=3, steps=1, threshold=None):
        _check(fraction, iterations, steps)
        first, _, _ = split_first_layer(model)
        if top.n_visible != first.out_features:
            raise ValueError(f"top must model the first hidden layer: top.n_visible={top.n_visible}, "
                             f"the first layer has {first.out_features} units")
        self.model, self.top = model, top
        self.fraction, self.iterations, self.steps = fraction, iterations, steps
        self.threshold = _threshold(threshold, top.n_visible)

    def forward(self, x):
        return denoise(self.model, self.top, x, self.fraction, self.iterations, self.steps,
                       threshold=self.threshold).output

    def backward(self, dy):
        raise NotImplementedError("Denoiser is for inference: train the wrapped model, then wrap it")

    def extra_repr(self):
        return f"fraction={self.fraction}, iterations={self.iterations}, steps={self.steps}"
