"""``fit``: the seed notebook's ``train_model``, line for line, with the chapter's techniques as hooks.

The step is the seed's six lines; each technique of chapter 7 that acts
during training is one named hook around them (:mod:`numreg.training.hooks`),
and the bookkeeping -- batches, running means, validation, the log line,
callbacks, best weights, checkpoints -- is :class:`~numreg.training.run.Run`.
"""
from . import inputs
from .hooks import StepHooks
from .run import Run


def fit(model, criterion, optimizer, train, valid=None, epochs=100, batch_size=256, penalties=(),
        constraints=(), callbacks=(), seed=None, verbose=True, augment=None, weight_noise=None,
        adversarial=None, checkpoint=None, resume=None, train_step=None):
    """Train ``model`` by mini-batch gradient descent, as the seed notebook's ``train_model``.

    Each step: ``optimizer.zero_grad()``, ``output = model(data)``,
    ``loss = criterion(output, target)``, ``model.backward(criterion.backward())``,
    the penalties' gradients (``alpha * grad Omega``, Eq. 7.2), ``optimizer.step()``,
    the penalties' proximal steps (L1, Eq. 7.23) and the constraints'
    projections (§7.2). After each epoch: validation in evaluation mode,
    the seed's log line, the callbacks (e.g. ``EarlyStopping``), and the
    checkpoint, if asked for.

    Parameters
    ----------
    model : Sequential (or any Module)
    criterion : SoftmaxCrossEntropy, MSELoss, ...
    optimizer : SGD, Adam, AdamW, ...
        Built on ``model.parameters()``.
    train : (X, y)
        Training examples and targets (``y`` may be a list of arrays, one per
        output of a multi-output model such as ``nr.MultiTask``, or None when
        ``train_step`` brings its own objective). ``X`` is converted once to the
        model's dtype if it is not already (the one copy of the data set
        training makes); batches are gathered from it by index.
    valid : (X, y) or None, default None
        Validation set, evaluated after every epoch.
    epochs : int, default 100
        Last epoch to run (when resuming, the total, not the number still to run).
    batch_size : int, default 256
    penalties : sequence, default ()
        Parameter-norm penalties (``nr.L2``, ``nr.L1``, ...): objects with
        ``value(params)`` and ``add_grad(params)``, and optionally
        ``prox(params, lr)``, applied after the optimizer step.
    constraints : sequence, default ()
        Objects with ``project(params)`` (``nr.MaxNorm``, ``nr.NormBall``),
        applied after every step.
    callbacks : sequence, default ()
        See :mod:`numreg.training.callbacks`; ``nr.EarlyStopping(...)`` is one.
        Callbacks with ``state_dict()`` / ``load_state_dict(d)`` are saved
        in the checkpoint and restored on resume.
    seed : int or None, default None
        Seed of the shuffling. With ``Sequential(..., seed=s)`` it makes the
        whole run bit-identical from run to run.
    verbose : bool, default True
        Print the seed's line per epoch: ``[ 1/100] train_loss: 0.84499 valid_loss: 0.29977``.
    augment : callable or None, default None
        ``augment(data) -> data``, applied to each training batch (never to
        validation data), e.g. ``nr.augment.RandomAffine()``.
    weight_noise : object or None, default None
        With ``perturb(params)`` before the forward pass and
        ``restore(params)`` after the backward pass (§7.5, ``nr.WeightNoise``).
    adversarial : object or None, default None
        With ``train_step(model, criterion, data, target) -> (output, loss)``,
        which replaces forward/loss/backward (§7.13, ``nr.FGSM``).
    train_step : object or None, default None
        The same protocol as ``adversarial`` for any step that is not the
        plain forward/loss/backward (the denoising autoencoder's two-batch
        objective, tangent prop, ...). At most one of the two.
    checkpoint : str or path-like or None, default None
        Write, after every epoch and atomically (a crash never leaves a
        half-written file), everything needed to continue the run to this
        ``.npz``: weights, optimizer state, the state of every random
        generator (the shuffling, the model's ``generators()``, and the
        ``generators()`` -- or ``.rng`` -- of ``augment``, ``weight_noise``
        and ``adversarial``),
        the stateful callbacks (``EarlyStopping``), the history and the
        epoch and step counters.
    resume : str or path-like or None, default None
        Continue the run saved at this path by ``checkpoint=``. Called with
        the same model architecture, optimizer type, data, ``batch_size``
        and callbacks, the resumed run is bit-identical to one that was
        never interrupted (except ``History.epoch_time``, wall-clock
        seconds). The checkpoint is checked (readable, keys and shapes of
        the weights and optimizer state, generators, callbacks) before
        anything is touched: a failed resume changes neither the model
        nor the file. ``seed`` is ignored when resuming.

    Returns
    -------
    History

    Raises
    ------
    ValueError
        Bad arguments or data; a checkpoint that is truncated, not a
        checkpoint of ``fit``, or of another architecture or set-up.
    FileNotFoundError
        ``resume`` names a file that does not exist.

    Notes
    -----
    A non-finite training or validation loss, with or without early
    stopping, ends training with a ``RuntimeWarning`` and
    ``stop_reason="non-finite loss"``; the weights of the best finite epoch
    (the initial ones if no epoch was finite) are loaded back, so nothing is
    lost, and ``best_epoch`` is never an epoch whose loss was not finite.
    """
    if adversarial is not None and train_step is not None:
        raise ValueError("give adversarial= or train_step=, not both: each replaces the forward/loss/backward")
    train_step = train_step if train_step is not None else adversarial
    penalties, constraints, callbacks = inputs.extensions(model, criterion, optimizer, penalties, constraints,
                                                          callbacks, augment, weight_noise, train_step)
    hooks = StepHooks(model.parameters(), penalties, constraints, augment, weight_noise, train_step)
    run = Run(model, criterion, optimizer, train, valid, epochs, batch_size, seed, callbacks, hooks,
              checkpoint, resume, verbose)                       # every check before the first step
    run.begin()
    try:
        for epoch in run.epochs():
            model.train()
            for data, target in run.batches():
                data = hooks.augment(data)                       # §7.4, training batches only
                optimizer.zero_grad()
                hooks.perturb_weights()                          # §7.5: W + epsilon_W
                if hooks.train_step is None:
                    output = model(data)
                    loss = criterion(output, target)
                    model.backward(criterion.backward(), input_grad=False)
                else:                                            # FGSM (§7.13), ...
                    output, loss = hooks.train_step.train_step(model, criterion, data, target)
                hooks.restore_weights()
                penalty = hooks.add_penalty_grads()              # alpha * grad Omega (Eq. 7.2)
                optimizer.step()
                hooks.after_step(optimizer.lr)                   # prox (Eq. 7.23), constraints (§7.2)
                run.end_step(output, target, loss, penalty)
                if run.state.stop:
                    break
            run.end_epoch()                                      # validation, log line, callbacks
            if run.state.stop:
                break
    except FloatingPointError as e:                              # best finite weights restored
        run.diverged(e)
    finally:
        model.eval()
    return run.end()
