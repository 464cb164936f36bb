"""Dropout as an ensemble: Monte-Carlo averaging over masks against the weight-scaling rule (§7.12).

A network with dropout defines an ensemble of ``2^d`` sub-networks, one
per mask ``mu`` of kept units, sharing their weights. Its prediction can
be the arithmetic mean over the masks,

    p_ensemble(y | x) = sum_mu p(mu) p(y | x, mu),

or the renormalized geometric mean (§7.12), which is what the book's
analysis uses,

    p~_ensemble(y | x) = (prod_mu p(y | x, mu))^(1 / 2^d),
    p_ensemble(y | x) = p~_ensemble(y | x) / sum_y' p~_ensemble(y' | x).

Neither sum has a tractable number of terms. Two approximations:

- **Monte-Carlo**: average over ``samples`` masks drawn as in training
  (:func:`mc_dropout_predict`, "MC dropout" in Gal & Ghahramani 2016's words).
- **The weight-scaling inference rule** (Hinton et al. 2012): one pass of
  the full network with each unit's outgoing weights multiplied by its keep
  probability. numreg's ``Dropout`` scales by ``1/(1-p)`` in training
  instead (inverted dropout), so the rule is simply ``model.eval()``.

For softmax regression with dropout on its input, ``P(y | v; d) =
softmax(W^T (d * v) + b)_y``, the weight-scaling rule is *exactly* the
renormalized geometric mean over all masks: the geometric mean of
softmaxes is the softmax of the mean logits, and the mean logits over all
masks are ``W^T E[d * v] + b``, which is what the scaled network computes
(§7.12). For deeper networks it is an approximation; the book credits
Goodfellow et al. (2013a) with finding it better than Monte-Carlo averages
of up to 1,000 sub-networks, and Gal & Ghahramani (2015) with finding the
Monte-Carlo average of twenty masks better for some models.
"""

import numpy as np

from ...core import checks
from ...core.losses import log_softmax, softmax
from ...training.state import model_input
from .dropout import Dropout

__all__ = ["mc_dropout_predict", "dropout_layers", "MEANS"]

MEANS = ("arithmetic", "geometric")


def dropout_layers(model):
    """Every ``Dropout`` layer of ``model``, searched through nested ``Sequential`` and ``MultiTask``."""
    found = []

    def walk(m):
        if isinstance(m, Dropout):
            found.append(m)
        for child in getattr(m, "layers", []) or []:
            walk(child)
        for name in ("trunk",):
            if hasattr(m, name):
                walk(getattr(m, name))
        for child in getattr(m, "heads", []) or []:
            walk(child)

    walk(model)
    return found


def mc_dropout_predict(model, X, samples, mean="arithmetic", seed=None, batch_size=1024):
    """Class probabilities averaged over ``samples`` random dropout masks (§7.12).

    Parameters
    ----------
    model : Sequential
        A network producing logits, with ``Dropout`` layers.
    X : ndarray, (n, ...)
    samples : int
        Number of masks drawn per example, ``>= 1``.
    mean : {"arithmetic", "geometric"}, default "arithmetic"
        ``"arithmetic"``: ``1/m sum_s softmax(z_s)``, the ensemble mean
        ``sum_mu p(mu) p(y | x, mu)`` estimated by sampling.
        ``"geometric"``: the renormalized geometric mean of §7.12,
        ``prod_s softmax(z_s)^(1/m)`` normalized over classes, computed as
        ``softmax(1/m sum_s log_softmax(z_s))`` (the normalizing constants
        of the log-softmaxes cancel, so this is ``softmax`` of the mean logits).
    seed : int or None, default None
        If given, the masks are drawn from generators spawned from it, and
        the dropout layers' own generators are left untouched (so sampling
        does not change a later training run); the same seed gives the same
        result. None: the layers' own generators are used (and advance).
    batch_size : int, default 1024
        Examples per forward pass.

    Returns
    -------
    probs : ndarray, (n, C), float64
        Rows sum to 1.

    Notes
    -----
    Only the ``Dropout`` layers are switched to training mode; every other
    layer (``GaussianNoise``, ...) stays in evaluation mode, and the model's
    modes are restored afterwards. Masks are drawn independently for every
    example and every sample, as in training. The loop runs over samples
    and batches, never over examples.

    Compare with ``nr.predict(model, X)`` (evaluation mode): the
    weight-scaling inference rule, one forward pass instead of ``samples``.

    References
    ----------
    Goodfellow et al. (2013a), "Maxout networks", ICML (weight scaling against Monte-Carlo averaging).
    Srivastava et al. (2014), "Dropout: a simple way to prevent neural networks from overfitting", JMLR 15, §7.5.
    Gal & Ghahramani (2016), "Dropout as a Bayesian approximation", ICML.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.12.
    """
    samples = checks.count("samples", samples)
    mean = checks.choice("mean", mean, MEANS)
    batch_size = checks.count("batch_size", batch_size)
    X, _ = model_input(model, X)
    drops = dropout_layers(model)
    was_training = model.training
    saved_rngs = [d.rng for d in drops]
    if seed is not None:
        for d, g in zip(drops, checks.generator("seed", seed).spawn(len(drops))):
            d.rng = g
    model.eval()
    for d in drops:
        d.train()
    acc = None
    try:
        for _ in range(int(samples)):
            z = np.concatenate([model.forward(X[s:s + batch_size]) for s in range(0, len(X), batch_size)])
            z = z.astype(np.float64, copy=False)
            term = softmax(z) if mean == "arithmetic" else log_softmax(z)
            acc = term if acc is None else acc + term
    finally:
        for d, g in zip(drops, saved_rngs):
            d.rng = g
        model.train(was_training)
    acc /= samples
    if mean == "arithmetic":
        return acc / acc.sum(axis=1, keepdims=True)
    return softmax(acc)
