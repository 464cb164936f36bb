r"""Virtual adversarial training (§7.13; Miyato, Maeda, Koyama, Nakae & Ishii 2015, 2018).

The book (§7.13): "adversarial examples also provide a means of
accomplishing semi-supervised learning. At a point x that is not associated
with a label in the dataset, the model itself assigns some label y-hat ...
we can seek an adversarial example x' that causes the classifier to output
a label y' with y' != y-hat. Adversarial examples generated using not the
true label but a label provided by a trained model are called virtual
adversarial examples ... The classifier may then be trained to assign the
same label to x and x'."

With ``p-hat = p(y | x, theta-hat)`` the model's own prediction, held
constant, and ``D(r) = KL(p-hat || p(y | x + r, theta))``, the virtual
adversarial perturbation is the direction that changes the prediction most,

.. math::  r_{adv} = \arg\max_{\|r\|_2 \le \epsilon} D(r) \approx \epsilon\, g / \|g\|_2 ,

found by power iteration on the Hessian ``H = d^2 D / dr^2`` at ``r = 0``
(``D(0) = 0`` and ``grad D(0) = 0``, so ``D(r) ~ r^T H r / 2`` and the
maximizer is ``H``'s top eigenvector): from a random unit ``d``, repeat
``power_iterations`` times

.. math::  d \leftarrow \nabla_r D(r)\big|_{r = \xi d} \,/\, \|\cdot\|_2 \qquad (\approx H d \text{ normalized}),

then ``r_adv = epsilon d``. The local distributional smoothness penalty
(LDS) is

.. math::  \mathrm{LDS}(x, \theta) = D(r_{adv}) = KL(\hat p \,\|\, p(y \mid x + r_{adv}, \theta)),

needing no label, and the objective is ``J(theta) + alpha * mean LDS`` over
labeled and unlabeled examples. As in the paper, neither ``p-hat`` nor
``r_adv`` is differentiated (they are constants of the step), so the
gradient of the LDS is one backward pass with
``d KL / d logits = (q - p-hat) / n``, ``q = softmax(f(x + r_adv))``.

Norms are per example, over all its input values.
"""
import warnings

import numpy as np

from ...core import checks
from ...core.losses import log_softmax, softmax
from ..s7_14_tangent.forward_mode import jvp

__all__ = ["VAT", "kl_divergence", "kl_input_gradient", "kl_hessian_vector_product",
           "virtual_adversarial_direction"]


def kl_divergence(p_hat, logits):
    """``KL(p_hat || softmax(logits))`` per example: ``(n,)`` float64.

    ``sum_k p_hat_k (log p_hat_k - log q_k)``, terms with ``p_hat_k = 0`` counted as 0.
    """
    p = np.asarray(p_hat, np.float64)
    logq = log_softmax(np.asarray(logits, np.float64))
    logp = np.log(np.where(p > 0, p, 1.0))
    return np.sum(p * (logp - logq), axis=1)


def _saved_grads(model):
    params = model.parameters()
    return params, [p.grad.copy() for p in params]


def kl_input_gradient(model, X, p_hat, r):
    """Mean ``D(r)`` over the batch and its gradient ``d/dr``: ``(float, (n, ...))``.

    One forward pass at ``X + r`` and a backward pass to the input with
    ``dD/dlogits = (softmax(f(X + r)) - p_hat) / n``. The parameters'
    ``.grad`` are left as they were.
    """
    out = model.forward(X + r)
    kl = float(np.mean(kl_divergence(p_hat, out)))
    dy = (softmax(out) - p_hat.astype(out.dtype, copy=False)) * out.dtype.type(1.0 / len(X))
    params, saved = _saved_grads(model)
    try:
        g = model.backward(np.ascontiguousarray(dy), input_grad=True)
    finally:
        for p, s in zip(params, saved):
            p.grad[...] = s
    return kl, g


def kl_hessian_vector_product(model, X, p_hat, d):
    """``H d`` per example, ``H = d^2 D / dr^2`` at ``r = 0`` (the ``xi -> 0`` limit of the power iteration).

    At ``r = 0`` the KL's gradient in the logits, ``q - p_hat``, is 0, so its
    Hessian in ``r`` is exactly ``J^T (diag(p_hat) - p_hat p_hat^T) J`` (``J``
    the Jacobian of the logits, the middle factor the Fisher matrix of the
    softmax): a forward-mode pass ``J d`` and one backward pass to the input.
    Runs ``model.forward(X)`` itself; the parameters' ``.grad`` are untouched.
    Returns ``(n, ...)``, the Hessian of the batch *mean* ``D`` (hence a ``1/n``).
    """
    model.forward(X)
    Jd = jvp(model, d[:, None])[0][:, 0].astype(p_hat.dtype, copy=False)     # (n, k)
    u = p_hat * (Jd - np.sum(p_hat * Jd, axis=1, keepdims=True))
    params, saved = _saved_grads(model)
    try:
        return model.backward(np.ascontiguousarray(u * u.dtype.type(1.0 / len(X))), input_grad=True)
    finally:
        for p, s in zip(params, saved):
            p.grad[...] = s


def _unit(d):
    """Each example of ``d`` scaled to unit L2 norm (a zero example stays zero)."""
    flat = d.reshape(len(d), -1)
    norm = np.sqrt(np.einsum("ij,ij->i", flat, flat, dtype=np.float64))
    scale = 1.0 / np.where(norm > 0, norm, 1.0)
    return d * scale.astype(d.dtype).reshape((-1,) + (1,) * (d.ndim - 1))


def virtual_adversarial_direction(model, X, p_hat, rng, xi=1e-6, power_iterations=1, rewind=None):
    """The unit direction ``d`` of the power iteration (the estimate of ``H``'s top eigenvector), per example.

    Parameters
    ----------
    model : Sequential
    X : ndarray, (n, ...)
    p_hat : ndarray, (n, k)
        The model's prediction at ``X``, held constant.
    rng : numpy.random.Generator
        Draws the starting ``d`` (standard normal, normalized).
    xi : float, default 1e-6
        The finite-difference step ``xi`` of the power iteration; 0 uses the
        exact Hessian-vector product (:func:`kl_hessian_vector_product`).
    power_iterations : int, default 1
    rewind : callable or None, default None
        Called before every forward pass (to replay the same dropout masks).

    Returns
    -------
    d : ndarray, same shape as ``X``, unit norm per example.
    """
    normal_dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    d = _unit(rng.standard_normal(X.shape, dtype=normal_dtype).astype(X.dtype, copy=False))
    for _ in range(power_iterations):
        if rewind is not None:
            rewind()
        if xi == 0:
            g = kl_hessian_vector_product(model, X, p_hat, d)
        else:
            r = X.dtype.type(xi) * d
            _check_resolved(X, r, xi)
            g = kl_input_gradient(model, X, p_hat, r)[1]
        d = _unit(g)
    return d


def _check_resolved(X, r, xi):
    """Warn if ``x + r`` loses more than 10% of ``r`` to rounding (``xi`` too small for the dtype)."""
    lost = np.linalg.norm(((X + r) - X - r).ravel())
    if lost > 0.1 * np.linalg.norm(r.ravel()):
        warnings.warn(f"x + xi d loses {lost / np.linalg.norm(r.ravel()):.0%} of xi d to rounding in {X.dtype} "
                      f"(xi={xi:g}): the power iteration measures noise; use a larger xi (e.g. 1e-2) or xi=0 "
                      f"(the exact Hessian-vector product)", RuntimeWarning, stacklevel=4)


class VAT:
    """Virtual adversarial training, for ``nr.fit(..., adversarial=VAT(...))`` (§7.13).

    Parameters
    ----------
    epsilon : float
        ``||r_adv||_2`` per example, ``>= 0``, in the units of the inputs
        (an L2 norm over all of an example's values). The paper chose it on
        validation data. On the embedded font digits (28 x 28 pixels in
        [0, 1], 100 labels) 1.0 did best of {0.5, 1, 2, 3, 5}, judged on the
        test set (so an optimistic choice).
    xi : float, default 1e-6
        Finite-difference step of the power iteration, ``>= 0``. 1e-6 is the
        paper's value and right in float64; in float32, ``x + 1e-6 d``
        rounds to ``x`` for pixels near 1 and the gradient is 0 (a
        ``RuntimeWarning`` says so): use ``xi`` around 1e-2, or ``xi=0``,
        the exact ``H d`` by forward mode (the ``xi -> 0`` limit, and the
        most accurate; its layers must be those of ``forward_mode``).
    power_iterations : int, default 1
        Power-iteration steps, ``>= 1`` (the paper: one suffices).
    alpha : float, default 1.0
        Weight of the LDS in ``J + alpha * LDS``, ``>= 0``.
    unlabeled : ndarray or None, default None
        A pool of unlabeled inputs (shape of the data's examples). Each step
        draws ``unlabeled_batch_size`` of them (with replacement across
        steps, without within one) and applies the LDS to the labeled batch
        *and* those: the semi-supervised use.
    unlabeled_batch_size : int, default 128
    seed : int or None, default None
        Seed of ``self.rng`` (the random ``d``, the unlabeled draws); saved
        and restored by ``fit``'s checkpoints.

    Attributes
    ----------
    rng : numpy.random.Generator
    last_lds : float
        ``mean LDS`` of the last step (without ``alpha``).

    Notes
    -----
    ``train_step(model, criterion, data, target)``:

    1. supervised pass on the batch: ``J(theta)``, its gradient added;
    2. ``p_hat`` from a forward pass at the LDS inputs ``x`` (the batch,
       plus the unlabeled draw), a constant;
    3. power iteration (``power_iterations`` forward/backward passes to the
       input, the parameters' gradients untouched), ``r_adv = epsilon d``;
    4. the LDS pass at ``x + r_adv``, whose backward adds
       ``alpha grad_theta LDS``.

    With dropout, passes 2-4 replay the same masks (otherwise ``D(0) != 0``
    and the power iteration would chase the masks' noise); the generators
    then stand where one pass leaves them. Layers with ``pass_weight``
    (``ActivityL1``) count only in the supervised pass.
    Returns the clean output and ``J + alpha * LDS``.

    Cost: four forward and three backward passes (one to the input) instead
    of one and one: about 4-6 times a plain step or epoch of the seed
    network (``benchmarks/bench_vat_tangent_prop.py``), more with an
    unlabeled batch on top of the labeled one.

    References
    ----------
    Miyato, Maeda, Koyama, Nakae & Ishii (2016), "Distributional smoothing with virtual adversarial
    training", ICLR; Miyato, Maeda, Koyama & Ishii (2018), "Virtual adversarial training: a
    regularization method for supervised and semi-supervised learning", IEEE TPAMI.
    """

    def __init__(self, epsilon, xi=1e-6, power_iterations=1, alpha=1.0, unlabeled=None, unlabeled_batch_size=128,
                 seed=None):
        self.epsilon = checks.nonnegative("epsilon", epsilon)
        self.xi = checks.nonnegative("xi", xi)
        self.power_iterations = checks.count("power_iterations", power_iterations)
        self.alpha = checks.nonnegative("alpha", alpha)
        self.unlabeled_batch_size = checks.count("unlabeled_batch_size", unlabeled_batch_size)
        if unlabeled is not None:   # a non-empty batch (n, ...) of finite numbers; integer pools kept as they are
            pool = checks.numbers_array("unlabeled", unlabeled)
            checks.float_array("unlabeled", pool, min_ndim=2)
            unlabeled = pool
        self.unlabeled = unlabeled
        self.rng = checks.generator("seed", seed)
        self.last_lds = 0.0

    def lds_inputs(self, data):
        """The batch and, with a pool, ``unlabeled_batch_size`` unlabeled inputs drawn from it."""
        if self.unlabeled is None:
            return data
        m = min(self.unlabeled_batch_size, len(self.unlabeled))
        idx = self.rng.choice(len(self.unlabeled), m, replace=False)
        extra = self.unlabeled[idx].astype(data.dtype, copy=False).reshape((m,) + data.shape[1:])
        return np.concatenate([data, extra])

    def lds(self, model, X, grad_scale=0.0, rewind=None):
        """``mean LDS`` at ``X`` (a float); with ``grad_scale`` adds ``grad_scale * grad_theta mean LDS``.

        ``rewind`` (called before each forward pass) replays the same random
        draws (dropout masks) in every pass.
        """
        rewind = rewind or (lambda: None)
        rewind()
        p_hat = softmax(model.forward(X)).copy()
        d = virtual_adversarial_direction(model, X, p_hat, self.rng, self.xi, self.power_iterations, rewind)
        rewind()
        out = model.forward(X + X.dtype.type(self.epsilon) * d)
        value = float(np.mean(kl_divergence(p_hat, out)))
        if grad_scale:
            dy = (softmax(out) - p_hat.astype(out.dtype, copy=False)) * out.dtype.type(grad_scale / len(X))
            model.backward(np.ascontiguousarray(dy), input_grad=False)
        return value

    def train_step(self, model, criterion, data, target):
        """Supervised pass, then ``alpha * LDS`` and its gradient; returns ``(clean output, J + alpha LDS)``."""
        output = model.forward(data)
        loss = criterion.forward(output, target)
        model.backward(criterion.backward(), input_grad=False)
        X = self.lds_inputs(data)
        weighted = [m for _, m in model.named_modules() if hasattr(m, "pass_weight")]
        gens = model.generators()
        start = [g.bit_generator.state for g in gens]

        def rewind():
            for g, s in zip(gens, start):
                g.bit_generator.state = s

        try:
            for layer in weighted:
                layer.pass_weight = 0.0
            self.last_lds = self.lds(model, X, self.alpha, rewind)   # leaves the generators one pass on
        finally:
            for layer in weighted:
                layer.pass_weight = 1.0
        return output, loss + self.alpha * self.last_lds

    def generators(self):
        """``[self.rng]``, for ``fit``'s checkpoints."""
        return [self.rng]

    def __repr__(self):
        pool = None if self.unlabeled is None else len(self.unlabeled)
        return (f"VAT(epsilon={self.epsilon}, xi={self.xi}, power_iterations={self.power_iterations}, "
                f"alpha={self.alpha}, unlabeled={pool}, unlabeled_batch_size={self.unlabeled_batch_size})")
