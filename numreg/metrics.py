"""Accuracy and calibration of a classifier's predicted probabilities.

Label smoothing (§7.5.1, "injecting noise at the output targets") stops the
softmax from pursuing hard 0/1 probabilities; Müller, Kornblith & Hinton
(2019) report that it also makes the predicted confidence closer to the
actual accuracy. These functions measure that:

- ``accuracy``: fraction of arg-max predictions equal to the label;
- ``expected_calibration_error``: the gap between confidence and accuracy,
  averaged over confidence bins (Naeini et al. 2015; Guo et al. 2017);
- ``reliability``: the per-bin numbers behind ECE and the reliability
  diagram (:func:`numreg.plots.reliability_diagram`);
- ``negative_log_likelihood`` and ``brier_score``: two proper scoring rules.

``probs`` is always an ``(n, k)`` array of probabilities (rows summing to 1),
e.g. ``nr.softmax(nr.predict(model, X))``; ``y`` the ``(n,)`` integer labels.
"""
import numpy as np

from .core import checks
from .core.losses import check_labels

__all__ = ["accuracy", "expected_calibration_error", "reliability", "negative_log_likelihood",
           "brier_score"]


def accuracy(scores, y):
    """Fraction of examples whose arg-max class equals the label.

    Parameters
    ----------
    scores : array_like, (n, k)
        Probabilities or logits (the arg-max is the same).
    y : array_like of int, (n,)

    Returns
    -------
    float
        In [0, 1].
    """
    s = checks.float_array("scores", scores, ndim=2)
    y = check_labels(y, len(s), s.shape[1], name="y")
    return float(np.mean(s.argmax(axis=1) == y))


def reliability(probs, y, n_bins=15):
    """Confidence and accuracy in equal-width confidence bins (the reliability diagram's data).

    The confidence of an example is its largest predicted probability,
    ``max_j p_j``, and it is correct when that class is the label. Bin ``b``
    holds the examples with confidence in ``(b/B, (b+1)/B]`` (bin 0 also
    takes a confidence of exactly 0, impossible for probabilities).

    Parameters
    ----------
    probs : array_like, (n, k)
        Predicted probabilities, each row >= 0 and summing to 1 (within 1e-3).
    y : array_like of int, (n,)
    n_bins : int, default 15
        ``B``, the number of bins (>= 1).

    Returns
    -------
    dict of ndarray, each of shape (n_bins,)
        ``edges`` (``n_bins + 1`` values, 0 to 1), ``count`` (examples in the
        bin), ``confidence`` (mean confidence), ``accuracy`` (fraction
        correct) -- NaN for an empty bin.
    """
    p, y, B = _check(probs, y, n_bins)
    conf = p.max(axis=1).astype(np.float64)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    # bin of (b/B, (b+1)/B]; edges b/B correctly rounded, so 0.8 = 12/15 falls in bin 11
    edges = np.arange(B + 1) / B
    b = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, B - 1)
    count = np.bincount(b, minlength=B).astype(np.float64)
    sum_conf = np.bincount(b, weights=conf, minlength=B)
    sum_acc = np.bincount(b, weights=correct, minlength=B)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.where(count > 0, sum_conf / count, np.nan)
        mean_acc = np.where(count > 0, sum_acc / count, np.nan)
    return {"edges": edges, "count": count.astype(np.int64),
            "confidence": mean_conf, "accuracy": mean_acc}


def expected_calibration_error(probs, y, n_bins=15):
    r"""Expected calibration error: ``sum_b (|B_b| / n) |acc(B_b) - conf(B_b)|``.

    A classifier is calibrated when, among the examples it predicts with
    confidence ``c``, a fraction ``c`` is right. ECE averages the gap
    between mean confidence and accuracy over ``n_bins`` equal-width
    confidence bins, weighted by the fraction of examples in each (Naeini,
    Cooper & Hauskrecht 2015; Guo, Pleiss, Sun & Weinberger 2017, with 15
    bins as here).

    .. math::  \mathrm{ECE} = \sum_{b=1}^{B} \frac{|B_b|}{n}\,
               \bigl|\mathrm{acc}(B_b) - \mathrm{conf}(B_b)\bigr|

    Parameters
    ----------
    probs : array_like, (n, k)
        Predicted probabilities (rows >= 0 summing to 1), e.g.
        ``nr.softmax(nr.predict(model, X))``. Logits are refused.
    y : array_like of int, (n,)
        The labels, in ``[0, k)``.
    n_bins : int, default 15
        Number of equal-width bins of the confidence ``max_j p_j`` on (0, 1].

    Returns
    -------
    float
        In [0, 1]; 0 for a perfectly calibrated classifier.

    Examples
    --------
    Four examples predicted with confidence 0.8, three of them right: in
    their bin the accuracy 0.75 is 0.05 below the confidence, so ECE = 0.05.

    >>> p = np.array([[0.8, 0.2]] * 4)
    >>> round(expected_calibration_error(p, [0, 0, 0, 1]), 6)
    0.05

    References
    ----------
    Guo, Pleiss, Sun & Weinberger (2017), "On calibration of modern neural
    networks", ICML. Müller, Kornblith & Hinton (2019), "When does label
    smoothing help?", NeurIPS.
    """
    r = reliability(probs, y, n_bins)
    n = r["count"].sum()
    full = r["count"] > 0
    gaps = np.abs(r["accuracy"][full] - r["confidence"][full])
    return float(np.sum(r["count"][full] * gaps) / n)


def negative_log_likelihood(probs, y, eps=1e-12):
    """Mean ``-log p_y`` of the labels (the cross-entropy of the hard labels).

    Parameters
    ----------
    probs : array_like, (n, k)
    y : array_like of int, (n,)
    eps : float, default 1e-12
        Floor of ``p_y`` so a confident mistake gives a large, finite value.

    Returns
    -------
    float
    """
    p, y, _ = _check(probs, y, 1)
    eps = checks.real("eps", eps, low=0.0, high=1.0, low_open=True)
    return float(-np.mean(np.log(np.maximum(p[np.arange(len(p)), y].astype(np.float64), eps))))


def brier_score(probs, y):
    """Mean over examples of ``sum_j (p_j - onehot(y)_j)^2`` (Brier 1950), in [0, 2].

    Parameters
    ----------
    probs : array_like, (n, k)
    y : array_like of int, (n,)

    Returns
    -------
    float
    """
    p, y, _ = _check(probs, y, 1)
    d = p.astype(np.float64)
    d[np.arange(len(d)), y] -= 1.0
    return float(np.mean(np.sum(d * d, axis=1)))


def _check(probs, y, n_bins):
    p = checks.float_array("probs", probs, ndim=2)
    if p.min() < 0 or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probs must hold probabilities (>= 0, rows summing to 1); "
                         "for logits apply nr.softmax first")
    y = check_labels(y, len(p), p.shape[1], name="y")
    n_bins = checks.count("n_bins", n_bins)
    checks.allocation("n_bins", n_bins, n_bins + 1, 3)
    return p, y, n_bins
