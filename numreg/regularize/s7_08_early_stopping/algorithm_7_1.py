"""Algorithm 7.1, the early stopping meta-algorithm, as the book writes it (§7.8).

The callback form the seed notebook uses is :class:`~numreg.regularize.s7_08_early_stopping.early_stopping.EarlyStopping`;
this is the pseudo-code line for line, to read beside the slide.
"""
import math

from ...core import checks


def early_stopping_meta_algorithm(model, train, validation_set_error, n, p, max_steps=None):
    """Algorithm 7.1, the early stopping meta-algorithm, line for line.

    The book's pseudo-code, with ``theta`` the parameters held by ``model``::

        Let n be the number of steps between evaluations.
        Let p be the "patience", the number of times to observe worsening
            validation set error before giving up.
        Let theta_o be the initial parameters.
        theta <- theta_o;  i <- 0;  j <- 0;  v <- inf;  theta* <- theta;  i* <- i
        while j < p do
            Update theta by running the training algorithm for n steps.
            i <- i + n
            v' <- ValidationSetError(theta)
            if v' < v then
                j <- 0;  theta* <- theta;  i* <- i;  v <- v'
            else
                j <- j + 1
            end if
        end while
        Best parameters are theta*, best number of training steps is i*.

    Parameters
    ----------
    model : Sequential (or any model with ``state_dict()``)
        Holds ``theta``; its current parameters are ``theta_o``.
    train : callable
        ``train(model, n)`` updates ``theta`` by running the training
        algorithm for ``n`` steps (e.g. ``n`` mini-batch SGD steps).
    validation_set_error : callable
        ``validation_set_error(model) -> float``, the error ``v'`` on the
        validation set (e.g. ``lambda m: nr.evaluate(m, criterion, Xv, yv)[0]``).
    n : int
        Number of training steps between evaluations, >= 1.
    p : int
        Patience, >= 1.
    max_steps : int or None, default None
        Not in the book: stop anyway once ``i >= max_steps`` (the book's loop
        ends only when ``p`` evaluations in a row fail to improve).

    Returns
    -------
    theta_star : dict of ndarray
        ``theta*``, a copy of ``model.state_dict()`` at the best evaluation
        (``theta_o`` if no evaluation improved on ``inf``). The model
        itself is left at the last ``theta``, as in the book.
    i_star : int
        ``i*``, the number of training steps that gave ``theta*``.

    Notes
    -----
    A NaN error never counts as an improvement (``nan < v`` is False), so it
    only advances ``j``; :class:`EarlyStopping` stops at once instead.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Algorithm 7.1.
    """
    checks.has_methods("model", model, ("state_dict",), "a model")
    checks.function("train", train, "a function train(model, n_steps)")
    checks.function("validation_set_error", validation_set_error, "a function validation_set_error(model) -> float")
    n, p = checks.count("n", n), checks.count("p", p)
    max_steps = checks.optional(checks.count, "max_steps", max_steps)
    i = 0
    j = 0
    v = math.inf
    theta_star = model.state_dict()
    i_star = i
    while j < p:
        train(model, n)                              # update theta by running the training algorithm for n steps
        i = i + n
        v_prime = float(validation_set_error(model))
        if v_prime < v:
            j = 0
            theta_star = model.state_dict()
            i_star = i
            v = v_prime
        else:
            j = j + 1
        if max_steps is not None and i >= max_steps:  # (not in the book) a guarantee of termination
            break
    return theta_star, i_star
