"""Adversarial examples by the fast gradient sign method, and adversarial training (§7.13).

A model that is locally too linear can be fooled: moving every pixel by a
tiny ``epsilon`` in the direction that increases the loss changes the
output by ``epsilon ||w||_1``, which is large in high dimension (§7.13,
Goodfellow, Shlens & Szegedy 2015). The fast gradient sign method (FGSM)
takes exactly that step,

    x_adv = x + epsilon * sign(grad_x J(theta, x, y)),

the maximizer of the first-order change of ``J`` over the max-norm ball
``||x_adv - x||_inf <= epsilon``. Training on such points as well,

    J~(theta, x, y) = alpha J(theta, x, y) + (1 - alpha) J(theta, x + epsilon sign(grad_x J(theta, x, y)), y),

makes the model locally constant around the training data -- a
regularizer that, in the book's words, "encourages the function to be
locally constant" (§7.13).

``grad_x J`` is the model's own backward pass carried to its input:
``model.backward(dy, input_grad=True)``.
"""

import numpy as np

from ...core import checks
from ...training.state import model_input, targets

__all__ = ["fgsm", "FGSM", "input_gradient"]


def input_gradient(model, criterion, X, y, scale=1.0):
    """One forward and backward pass; returns ``(output, loss, grad_x J)``.

    The backward pass goes to the input (``model.backward(dy, input_grad=True)``)
    and, as every backward pass, *adds* ``scale * grad_theta J`` to the
    parameters' ``.grad``. The returned input gradient is also multiplied
    by ``scale``. Uses the model in its current mode (dropout masks are
    drawn in training mode).

    Parameters
    ----------
    model : Sequential
    criterion : loss
    X : ndarray, (n, ...)
    y : ndarray
    scale : float, default 1.0
        Multiplies ``dJ/d output`` before the backward pass.

    Returns
    -------
    output : ndarray
    loss : float
        ``J(theta, X, y)`` (unscaled).
    dx : ndarray, same shape as ``X``
        ``scale * dJ/dX``.
    """
    output = model.forward(X)
    loss = criterion.forward(output, y)
    dy = criterion.backward()
    if scale != 1.0:
        dy = dy * dy.dtype.type(scale)
    dx = model.backward(dy, input_grad=True)
    return output, loss, dx


def _step(X, dx, epsilon, clip):
    X_adv = X + np.asarray(epsilon, dtype=X.dtype) * np.sign(dx).astype(X.dtype, copy=False)
    if clip is not None:
        np.clip(X_adv, clip[0], clip[1], out=X_adv)
    return X_adv


def fgsm(model, criterion, X, y, epsilon, clip=None):
    """Adversarial examples by the fast gradient sign method (§7.13; Goodfellow et al. 2015).

    ``x_adv = x + epsilon * sign(grad_x J(theta, x, y))``.

    Parameters
    ----------
    model : Sequential
        Used in its current mode: call ``model.eval()`` first to attack the
        network as it predicts (dropout off); in training mode the gradient
        is that of one thinned network.
    criterion : loss
        ``J``; e.g. ``nr.SoftmaxCrossEntropy()``.
    X : ndarray, (n, ...)
        Clean inputs (floating point).
    y : ndarray
        Their targets.
    epsilon : float
        Size of the step in max-norm, ``>= 0`` (0 returns a copy of ``X``).
    clip : (float, float) or None, default None
        If given, the result is clipped to ``[low, high]`` (e.g. ``(0, 1)``
        for pixel intensities). The paper does not clip.

    Returns
    -------
    X_adv : ndarray, same shape and dtype as ``X``
        ``||X_adv - X||_inf <= epsilon``.

    Notes
    -----
    The gradient is the model's own backward pass to its input,
    ``model.backward(criterion.backward(), input_grad=True)``. That pass
    also accumulates into the parameters' ``.grad``; ``fgsm`` saves and
    restores them, so calling it between two training steps changes
    nothing. A pixel whose gradient is exactly 0 (``sign(0) = 0``) is not moved.

    References
    ----------
    Goodfellow, Shlens & Szegedy (2015), "Explaining and harnessing adversarial examples", ICLR.
    Szegedy et al. (2014), "Intriguing properties of neural networks", ICLR.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.13.
    """
    epsilon = checks.nonnegative("epsilon", epsilon)
    clip = checks.optional(checks.interval, "clip", clip, finite=False)
    checks.has_methods("model", model, ("forward", "backward", "parameters"), "a model such as nr.Sequential(...)")
    checks.has_methods("criterion", criterion, ("forward", "backward"), "a loss such as nr.SoftmaxCrossEntropy()")
    X, out = model_input(model, X)
    y = targets(y, len(X), out, criterion)
    params = model.parameters()
    saved = [p.grad.copy() for p in params]
    try:
        _, _, dx = input_gradient(model, criterion, X, y)
    finally:
        for p, g in zip(params, saved):
            p.grad[...] = g
    return _step(X, dx, epsilon, clip)


class FGSM:
    """Adversarial training with the fast gradient sign method, for ``nr.fit(..., adversarial=FGSM(...))`` (§7.13).

    The objective of Goodfellow, Shlens & Szegedy (2015), Eq. (6) there:

        J~(theta, x, y) = alpha J(theta, x, y) + (1 - alpha) J(theta, x + epsilon sign(grad_x J(theta, x, y)), y).

    Parameters
    ----------
    epsilon : float
        Size of the adversarial step in max-norm, ``>= 0``.
    alpha : float, default 0.5
        Weight of the clean loss, in [0, 1] (the paper's 0.5). 1 is plain training.
    clip : (float, float) or None, default None
        Clip the adversarial inputs to ``[low, high]`` (e.g. ``(0, 1)``).
    same_noise : bool, default False
        Whether the adversarial pass reuses the clean pass's dropout masks
        (and noise draws). See Notes.

    Notes
    -----
    ``train_step(model, criterion, data, target)`` replaces ``fit``'s
    forward/loss/backward and leaves in the parameters' ``.grad`` (added to
    what is there) the gradient of ``J~``:

    1. clean pass: ``output = model(data)``, ``J(theta, x, y)``, and one
       backward pass *to the input* with ``dJ/d output`` scaled by
       ``alpha``: this adds ``alpha grad_theta J(theta, x, y)`` to ``.grad``
       and gives ``alpha grad_x J``, whose sign is that of ``grad_x J``
       (for ``alpha = 0`` the pass is unscaled and the parameters'
       gradients are restored afterwards);
    2. ``x_adv = x + epsilon sign(grad_x J)``, a constant: the paper does
       not differentiate through the sign (its derivative is 0 almost
       everywhere, so the gradient is the same);
    3. adversarial pass: ``J(theta, x_adv, y)`` and a backward pass with
       ``dJ/d output`` scaled by ``1 - alpha``, stopping at the first layer
       (no input gradient needed);
    4. returns the clean ``output`` (for the training accuracy) and
       ``alpha J(x) + (1 - alpha) J(x_adv)``.

    Cost: two forward and two backward passes, and the first layer's input
    gradient (one matrix product ``n x h x 784``). The first layer, which
    dominates, does 5 products instead of 2: measured 2-3.4 times a plain
    forward/backward, about 2-2.5 times a plain epoch of ``fit``
    (``benchmarks/bench_fgsm.py``).

    **Dropout.** With dropout in the model the two passes are two
    different thinned networks unless told otherwise. The default,
    ``same_noise=False``, draws fresh masks for the adversarial pass, as
    ``model(x)`` twice does in PyTorch: the perturbation is the steepest
    ascent direction of one sub-network and must fool another one, i.e.
    it is judged by the ensemble that dropout trains. ``same_noise=True``
    rewinds the layers' generators before the adversarial pass (as
    ``nr.gradcheck.replay`` does), so both terms of ``J~`` are evaluated on
    the same sub-network: the literal objective for one mask, and what the
    gradient test checks by finite differences.

    References
    ----------
    Goodfellow, Shlens & Szegedy (2015), "Explaining and harnessing adversarial examples", ICLR.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.13.
    """

    def __init__(self, epsilon, alpha=0.5, clip=None, same_noise=False):
        self.epsilon = checks.nonnegative("epsilon", epsilon)
        self.alpha = checks.probability("alpha", alpha, allow_one=True)
        self.clip = checks.optional(checks.interval, "clip", clip, finite=False)
        self.same_noise = checks.flag("same_noise", same_noise)

    def train_step(self, model, criterion, data, target):
        """Forward/backward of ``alpha J(x) + (1 - alpha) J(x_adv)``; returns ``(clean output, that loss)``.

        Layers that add a penalty's gradient in their own backward pass
        (``ActivityL1``, any layer with a ``pass_weight`` attribute) get the
        weight of each pass, so the penalty counts once in ``J~``.
        """
        weighted = _pass_weighted_layers(model)
        try:
            return self._train_step(model, criterion, data, target, weighted)
        finally:
            for layer in weighted:
                layer.pass_weight = 1.0

    def _train_step(self, model, criterion, data, target, weighted):
        a = self.alpha
        for layer in weighted:
            layer.pass_weight = a if a > 0 else 1.0
        gens = model.generators() if self.same_noise else []
        before = [g.bit_generator.state for g in gens]
        if a > 0:
            output, loss_clean, dx = input_gradient(model, criterion, data, target, scale=a)
        else:
            params = model.parameters()
            saved = [p.grad.copy() for p in params]
            output, loss_clean, dx = input_gradient(model, criterion, data, target)
            for p, g in zip(params, saved):
                p.grad[...] = g
        if a == 1.0:
            return output, loss_clean
        x_adv = _step(data, dx, self.epsilon, self.clip)
        after = [g.bit_generator.state for g in gens]
        for g, s in zip(gens, before):  # same_noise: replay the clean pass's masks
            g.bit_generator.state = s
        for layer in weighted:
            layer.pass_weight = 1.0 - a
        out_adv = model.forward(x_adv)
        loss_adv = criterion.forward(out_adv, target)
        dy = criterion.backward()
        if a > 0:
            dy *= dy.dtype.type(1.0 - a)
        model.backward(dy, input_grad=False)
        for g, s in zip(gens, after):  # ... and leave the generators where one pass would
            g.bit_generator.state = s
        return output, a * loss_clean + (1.0 - a) * loss_adv

    def __repr__(self):
        return f"FGSM(epsilon={self.epsilon}, alpha={self.alpha}, clip={self.clip}, same_noise={self.same_noise})"


def _pass_weighted_layers(model):
    """The modules of ``model`` (at any depth of its module tree) that have a ``pass_weight``."""
    return [m for _, m in model.named_modules() if hasattr(m, "pass_weight")]
