"""Using all the data after early stopping (§7.8, Algorithms 7.2 and 7.3).

Early stopping needs a validation set, which is then not trained on. The
book gives two ways to use it afterwards:

- :func:`retrain_on_all_data` (Algorithm 7.2): note ``i*``, the best number
  of steps, re-initialize, and train on all the training data for ``i*`` steps;
- :func:`continue_on_all_data` (Algorithm 7.3): note the sub-training
  objective ``epsilon`` at ``theta*``, and continue training on all the data
  until the validation loss falls below ``epsilon`` -- with a step limit,
  since this may never happen.

Both run Algorithm 7.1 through ``nr.fit`` with
``nr.EarlyStopping(every=n, unit="step", patience=p)``.
"""
import math
import warnings
from dataclasses import dataclass, field

from ...training.callbacks import Callback
from ...core import checks
from ...core.losses import SoftmaxCrossEntropy
from ...data.split import train_valid_split
from ...core.optim import Adam
from ...training import History, evaluate, fit
from .early_stopping import EarlyStopping

__all__ = ["AllDataRecord", "retrain_on_all_data", "continue_on_all_data"]


@dataclass
class AllDataRecord:
    """What happened in Algorithm 7.2 or 7.3.

    Attributes
    ----------
    algorithm : str
        ``"7.2"`` or ``"7.3"``.
    i_star : int
        ``i*``: steps of the first round (Algorithm 7.1) that gave ``theta*``.
    first : History
        The first round: training on the sub-training set, validation on the held-out set.
    second : History
        The second round, on all the training data.
    steps : int
        Optimizer steps taken in the second round.
    epsilon : float or None
        Algorithm 7.3: the sub-training objective at ``theta*`` (None for 7.2).
    reached : bool
        Algorithm 7.3: whether the validation loss fell to ``epsilon`` within
        ``max_steps`` (True for 7.2).
    trace : list of (int, float)
        Algorithm 7.3: ``(step, validation loss)`` at every check of the second round.
    message : str
        A one-line summary (the warning text when the step limit was hit).
    n_subtrain, n_valid : int
        Sizes of the split.
    """

    algorithm: str
    i_star: int
    first: History
    second: History
    steps: int
    epsilon: float = None
    reached: bool = True
    trace: list = field(default_factory=list)
    message: str = ""
    n_subtrain: int = 0
    n_valid: int = 0


class _StopAtStep(Callback):
    """Stop after a fixed number of optimizer steps."""

    def __init__(self, steps):
        self.steps = steps

    def on_step_end(self, state):
        if state.step >= self.steps:
            state.stop = True


class _UntilBelow(Callback):
    """Algorithm 7.3's loop: every ``n`` steps, stop if ``J(theta, X_valid, y_valid) <= epsilon``."""

    def __init__(self, X_valid, y_valid, epsilon, n, max_steps):
        self.X_valid, self.y_valid = X_valid, y_valid
        self.epsilon, self.n, self.max_steps = epsilon, n, max_steps
        self.trace = []
        self.reached = False

    def on_step_end(self, state):
        if state.step % self.n == 0:
            v = evaluate(state.model, state.criterion, self.X_valid, self.y_valid)[0]
            self.trace.append((state.step, v))
            if v <= self.epsilon:
                self.reached = True
                state.stop = True
                return
        if state.step >= self.max_steps:
            state.stop = True


def _first_round(model_factory, optimizer_factory, criterion, X, y, valid_fraction, n, p, batch_size,
                 max_epochs, seed, verbose):
    """Split, then Algorithm 7.1 from a random theta on the sub-training set; the model ends at theta*."""
    checks.function("model_factory", model_factory, "a function () -> a freshly initialized model")
    checks.function("optimizer_factory", optimizer_factory, "a function params -> optimizer")
    checks.flag("verbose", verbose)
    (Xs, ys), (Xv, yv) = train_valid_split(X, y, valid_fraction, seed)
    steps_per_epoch = -(-len(Xs) // batch_size)
    n = steps_per_epoch if n is None else checks.count("n", n)
    model = model_factory()
    optimizer = optimizer_factory(model.parameters())
    es = EarlyStopping(patience=p, every=n, unit="step", restore_best=True)
    history = fit(model, criterion, optimizer, (Xs, ys), (Xv, yv), epochs=max_epochs, batch_size=batch_size,
                  callbacks=[es], seed=seed, verbose=verbose)
    if es.best_state is None:
        raise ValueError(f"Algorithm 7.1 made no evaluation: with n={n} steps between evaluations, "
                         f"max_epochs={max_epochs} epochs of {steps_per_epoch} steps are too few")
    return model, optimizer, es, history, (Xs, ys), (Xv, yv), n


def retrain_on_all_data(model_factory, X, y, criterion=None, optimizer_factory=None, valid_fraction=0.2, n=None,
                        p=5, batch_size=256, max_epochs=100, match="steps", seed=None, verbose=False):
    """Algorithm 7.2: early stopping to find how long to train, then retraining on all the data.

    The book's pseudo-code::

        Let X(train) and y(train) be the training set.
        Split X(train) and y(train) into (X(subtrain), X(valid)) and (y(subtrain), y(valid)).
        Run early stopping (Algorithm 7.1) starting from random theta using X(subtrain)
            and y(subtrain) for training data and X(valid) and y(valid) for validation data.
            This returns i*, the optimal number of steps.
        Set theta to random values again.
        Train on X(train) and y(train) for i* steps.

    Parameters
    ----------
    model_factory : callable
        ``model_factory()`` returns a freshly initialized model ("random theta").
        Called twice; give it a seed for reproducible runs.
    X, y : ndarray
        The whole training set.
    criterion : loss or None, default None
        None: ``nr.SoftmaxCrossEntropy()``.
    optimizer_factory : callable or None, default None
        ``optimizer_factory(params)``; None: ``nr.Adam(params)``.
    valid_fraction : float, default 0.2
        Held out for Algorithm 7.1.
    n : int or None, default None
        Steps between evaluations in Algorithm 7.1; None: one epoch of the sub-training set.
    p : int, default 5
        Patience of Algorithm 7.1.
    batch_size : int, default 256
    max_epochs : int, default 100
        Limit of the first round.
    match : {"steps", "epochs"}, default "steps"
        The book's "train for i* steps" is ambiguous once the data set is
        larger (§7.8): ``"steps"`` takes the same number of parameter
        updates; ``"epochs"`` the same number of passes through the data
        (``i*`` converted to sub-training epochs, rounded up, then to steps
        on all the data).
    seed : int or None, default None
        Seed of the split and of the shuffling of both rounds.
    verbose : bool, default False
        Print ``fit``'s log lines.

    Returns
    -------
    model : the retrained model (the second one made by ``model_factory``)
    record : AllDataRecord
        With ``i_star``, both histories and the steps of the second round.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Algorithm 7.2.
    """
    match = checks.choice("match", match, ("steps", "epochs"))
    criterion = SoftmaxCrossEntropy() if criterion is None else criterion
    optimizer_factory = (lambda params: Adam(params)) if optimizer_factory is None else optimizer_factory
    p = checks.count("p", p)
    batch_size = checks.count("batch_size", batch_size)
    max_epochs = checks.count("max_epochs", max_epochs)
    _, _, es, first, (Xs, _), (Xv, _), n = _first_round(
        model_factory, optimizer_factory, criterion, X, y, valid_fraction, n, p, batch_size, max_epochs, seed,
        verbose)
    i_star = es.best_step
    steps_full = -(-len(X) // batch_size)
    if match == "steps":
        steps = i_star
    else:
        steps = math.ceil(i_star / -(-len(Xs) // batch_size)) * steps_full
    model = model_factory()                           # set theta to random values again
    optimizer = optimizer_factory(model.parameters())
    second = fit(model, criterion, optimizer, (X, y), None, epochs=max(1, -(-steps // steps_full)),
                 batch_size=batch_size, callbacks=[_StopAtStep(steps)], seed=None if seed is None else seed + 1,
                 verbose=verbose)
    msg = (f"Algorithm 7.2: i* = {i_star} steps on {len(Xs)} sub-training examples; retrained for "
           f"{steps} steps on all {len(X)}")
    return model, AllDataRecord("7.2", i_star, first, second, steps, message=msg, n_subtrain=len(Xs),
                                n_valid=len(Xv))


def continue_on_all_data(model_factory, X, y, criterion=None, optimizer_factory=None, valid_fraction=0.2, n=None,
                         p=5, batch_size=256, max_epochs=100, max_steps=None, seed=None, verbose=False):
    """Algorithm 7.3: early stopping to find the objective value at which overfitting starts, then
    continuing on all the data until the validation loss reaches it.

    The book's pseudo-code::

        Let X(train) and y(train) be the training set.
        Split X(train) and y(train) into (X(subtrain), X(valid)) and (y(subtrain), y(valid)).
        Run early stopping (Algorithm 7.1) starting from random theta using X(subtrain)
            and y(subtrain) for training data and X(valid) and y(valid) for validation data.
            This updates theta.
        epsilon <- J(theta, X(subtrain), y(subtrain))
        while J(theta, X(valid), y(valid)) > epsilon do
            Train on X(train) and y(train) for n steps.
        end while

    The book warns that the loop may never end (the validation objective
    need not fall to ``epsilon``); here it ends after ``max_steps`` steps
    with a ``RuntimeWarning`` and ``record.reached = False``.

    Parameters
    ----------
    model_factory : callable
        ``model_factory()`` returns a freshly initialized model ("random theta").
    X, y : ndarray
        The whole training set.
    criterion : loss or None, default None
        ``J``; None: ``nr.SoftmaxCrossEntropy()``. Evaluated in evaluation
        mode (dropout off), for ``epsilon`` and for the loop's test alike.
    optimizer_factory : callable or None, default None
        ``optimizer_factory(params)``; None: ``nr.Adam(params)``. The second
        round continues with the same optimizer (and its state).
    valid_fraction : float, default 0.2
    n : int or None, default None
        Steps between evaluations, in both rounds; None: one epoch of the sub-training set.
    p : int, default 5
        Patience of Algorithm 7.1.
    batch_size : int, default 256
    max_epochs : int, default 100
        Limit of the first round.
    max_steps : int or None, default None
        Limit of the second round (not in the book); None: ``max(i*, n)``
        steps -- as many as the first round found useful.
    seed : int or None, default None
    verbose : bool, default False

    Returns
    -------
    model : the model, trained on all the data
    record : AllDataRecord
        With ``epsilon``, ``reached``, the ``trace`` of validation losses, and both histories.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Algorithm 7.3.
    """
    criterion = SoftmaxCrossEntropy() if criterion is None else criterion
    optimizer_factory = (lambda params: Adam(params)) if optimizer_factory is None else optimizer_factory
    p = checks.count("p", p)
    batch_size = checks.count("batch_size", batch_size)
    max_epochs = checks.count("max_epochs", max_epochs)
    if max_steps is not None:
        max_steps = checks.count("max_steps", max_steps)
    model, optimizer, es, first, (Xs, ys), (Xv, yv), n = _first_round(
        model_factory, optimizer_factory, criterion, X, y, valid_fraction, n, p, batch_size, max_epochs, seed,
        verbose)
    i_star = es.best_step
    # the model is at theta* (restore_best): epsilon <- J(theta, X(subtrain), y(subtrain))
    epsilon = evaluate(model, criterion, Xs, ys)[0]
    max_steps = max(i_star, n) if max_steps is None else max_steps
    v = evaluate(model, criterion, Xv, yv)[0]
    loop = _UntilBelow(Xv, yv, epsilon, n, max_steps)
    loop.trace.append((0, v))
    if v <= epsilon:                                  # the while condition is checked first
        loop.reached = True
        second = History()
        second.stop_reason = "callback"
    else:
        steps_full = -(-len(X) // batch_size)
        second = fit(model, criterion, optimizer, (X, y), None, epochs=-(-max_steps // steps_full),
                     batch_size=batch_size, callbacks=[loop], seed=None if seed is None else seed + 1,
                     verbose=verbose)
    steps = loop.trace[-1][0] if loop.reached else max_steps
    if loop.reached:
        msg = (f"Algorithm 7.3: epsilon = {epsilon:.6f} (sub-training loss at i* = {i_star}); the validation "
               f"loss reached {loop.trace[-1][1]:.6f} <= epsilon after {steps} steps on all the data")
    else:
        last = loop.trace[-1][1]
        msg = (f"Algorithm 7.3: the validation loss ({last:.6f}) did not fall to epsilon = {epsilon:.6f} "
               f"within max_steps={max_steps} steps on all the data; stopped there (the book warns the "
               f"loop may never end)")
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
    return model, AllDataRecord("7.3", i_star, first, second, steps, epsilon=epsilon, reached=loop.reached,
                                trace=loop.trace, message=msg, n_subtrain=len(Xs), n_valid=len(Xv))
