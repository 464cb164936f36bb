"""Self-training with pseudo-labels (§7.6).

The oldest semi-supervised recipe (Scudder 1965; "Pseudo-Label", Lee 2013):
train on the labeled examples, label the unlabeled ones with the model's
own confident predictions, train again on both, and repeat. It relies on
the cluster assumption of §7.6: a decision boundary that passes through
low-density regions is left alone by confident pseudo-labels, while one
cutting through a cluster is pushed out of it.
"""

import numpy as np

from ...core import checks
from ...core.checks import call_with_optional
from ...core.losses import SoftmaxCrossEntropy, softmax
from ...core.optim import Adam
from ...training import fit, predict
from ._input import check_ssl_data

__all__ = ["SelfTraining"]


class SelfTraining:
    """Train, pseudo-label the confident unlabeled points, retrain; ``rounds`` times (§7.6).

    Parameters
    ----------
    make_model : callable
        ``make_model(seed) -> model`` (logits); a fresh model is trained in
        every round, from the same seed, so that rounds differ only by
        their data. A callable without arguments is called without.
    threshold : float, default 0.9
        A point gets a pseudo-label when the model's largest class
        probability on it is at least ``threshold``, in (0, 1].
    rounds : int, default 3
        Pseudo-labelling rounds after the first, labeled-only, training (>= 0).
    epochs : int, default 50
        Epochs of every training run (over labeled + pseudo-labeled points).
    batch_size : int, default 64
    steps : int or None, default None
        If given, overrides ``epochs``: every round runs about ``steps``
        optimizer steps, i.e. ``ceil(steps / ceil(m / batch_size))`` epochs
        over its ``m`` examples, so that the labeled-only round (100
        examples) and the later ones (thousands) get the same budget.
    seed : int or None, default None
        Seed of the models and of the shuffling; same seed, same result.
    make_optimizer : callable or None, default None
        ``make_optimizer(model) -> optimizer``; None: ``nr.Adam(model.parameters(), lr=1e-3)``.

    Attributes
    ----------
    model_ : model
        The model of the last round.
    pseudo_labels_ : ndarray of int, (u,)
        The unlabeled points' pseudo-labels used in the last round; -1 for
        points below the threshold.
    history_ : list of dict
        Per round: ``round``, ``n_pseudo`` (points pseudo-labeled) and,
        when ``y_unlabeled`` is given to ``fit`` (for experiments only),
        ``pseudo_accuracy``, the fraction of pseudo-labels that are right.

    Notes
    -----
    The pseudo-labels are recomputed from scratch each round (a point may
    lose or change its label). Training stops early when a round leaves
    the pseudo-labels unchanged.

    References
    ----------
    Scudder (1965), "Probability of error of some adaptive pattern-recognition machines", IEEE Trans. Inf. Theory 11.
    Lee (2013), "Pseudo-Label: the simple and efficient semi-supervised learning method for deep neural
    networks", ICML Workshop on Challenges in Representation Learning.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.6.
    """

    def __init__(self, make_model, threshold=0.9, rounds=3, epochs=50, batch_size=64, seed=None,
                 make_optimizer=None, steps=None):
        self.make_model = checks.function("make_model", make_model, "a function seed -> model")
        self.threshold = checks.probability("threshold", threshold, allow_one=True, allow_zero=False)
        self.rounds = checks.integer("rounds", rounds, low=0)
        self.steps = checks.optional(checks.count, "steps", steps)
        self.epochs = checks.count("epochs", epochs)
        self.batch_size = checks.count("batch_size", batch_size)
        self.seed = checks.seed("seed", seed)
        self.make_optimizer = checks.optional(checks.function, "make_optimizer", make_optimizer) or (lambda m: Adam(m.parameters(), lr=1e-3))

    def _new_model(self):
        return call_with_optional(self.make_model, self.seed)

    def fit(self, X_labeled, y_labeled, X_unlabeled, y_unlabeled=None):
        """Self-train on the labeled and unlabeled points. Returns self.

        ``y_unlabeled`` (optional) is never used for training; it only fills
        ``history_[r]["pseudo_accuracy"]`` to show how right the pseudo-labels are.
        """
        X_l, y_l, X_u, n_classes = check_ssl_data(X_labeled, y_labeled, X_unlabeled)
        y_unlabeled = checks.optional(checks.labels, "y_unlabeled", y_unlabeled, len(X_u))
        shape = np.shape(X_labeled)[1:]
        X_l = X_l.reshape((len(X_l),) + shape)
        X_u = X_u.reshape((len(X_u),) + shape)
        crit = SoftmaxCrossEntropy()
        pseudo = np.full(len(X_u), -1)
        self.history_ = []
        for r in range(self.rounds + 1):
            chosen = np.flatnonzero(pseudo >= 0)
            X = np.concatenate([X_l, X_u[chosen]]) if chosen.size else X_l
            y = np.concatenate([y_l, pseudo[chosen]]) if chosen.size else y_l
            model = self._new_model()
            epochs = self.epochs
            if self.steps is not None:
                epochs = -(-self.steps // -(-len(X) // self.batch_size))
            fit(model, crit, self.make_optimizer(model), (X, y), epochs=epochs, batch_size=self.batch_size,
                seed=self.seed, verbose=False)
            entry = {"round": r, "n_pseudo": int(chosen.size)}
            if y_unlabeled is not None and chosen.size:
                entry["pseudo_accuracy"] = float(np.mean(pseudo[chosen] == np.asarray(y_unlabeled)[chosen]))
            self.history_.append(entry)
            self.model_ = model
            self.pseudo_labels_ = pseudo
            if r == self.rounds:
                break
            P = softmax(predict(model, X_u))
            new = np.where(P.max(axis=1) >= self.threshold, P.argmax(axis=1), -1)
            if np.array_equal(new, pseudo):
                break
            pseudo = new
        return self

    def predict_proba(self, X):
        """Class probabilities of the last round's model."""
        if not hasattr(self, "model_"):
            raise RuntimeError("SelfTraining is not fitted yet: call fit first")
        return softmax(predict(self.model_, np.asarray(X)))

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)

    def __repr__(self):
        return f"SelfTraining(threshold={self.threshold}, rounds={self.rounds}, epochs={self.epochs})"
