"""Numerical gradients by central differences, to check every hand-written backward.

The analytic gradient ``g`` of a scalar ``f`` is compared with

    g_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)          (central difference)

whose error is O(h^2). In float64 with ``h = 1e-5`` a correct backward
agrees to about 1e-9 in relative error; a missing term gives errors near 1.
Random layers (dropout, noise) are checked by restoring their generators'
state before every evaluation, so each one sees the same draws.

Every function returns the largest relative error found.
"""
import contextlib

import numpy as np

from .core import checks
from .core.checks import accepts_argument
from .training.state import model_input, targets


def rel_error(a, b, floor=1e-12):
    """Largest elementwise relative error ``|a - b| / max(|a|, |b|, floor)``.

    Parameters
    ----------
    a, b : array_like
        Same shape.
    floor : float, default 1e-12
        Lower bound of the denominator, so that two tiny numbers (both ~0)
        do not give a large relative error.

    Returns
    -------
    float
    """
    a = checks.float_array("a", a, dtype=np.float64, allow_empty=True)
    b = checks.float_array("b", b, dtype=np.float64, allow_empty=True)
    floor = checks.positive("floor", floor)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    den = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    return float(np.max(np.abs(a - b) / den))


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f()`` or ``f(x)`` returning a float; ``x`` is perturbed *in place*,
        one entry at a time, and restored.
    x : ndarray (float64 recommended)
    h : float, default 1e-5

    Returns
    -------
    ndarray, same shape as ``x``
    """
    checks.function("f", f, "a function f() or f(x) -> float")
    if not (isinstance(x, np.ndarray) and x.flags.c_contiguous and x.flags.writeable):
        raise ValueError("x must be a writeable C-contiguous ndarray: it is perturbed in place")
    checks.float_array("x", x, allow_empty=True)
    h = checks.positive("h", h)
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)  # a view: perturbations reach x
    call = _caller(f, x)
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = call()
        flat[i] = old - h
        fm = call()
        flat[i] = old
        g[i] = (fp - fm) / (2 * h)
    return grad


def _caller(f, x):
    return (lambda: float(f(x))) if accepts_argument(f) else (lambda: float(f()))


@contextlib.contextmanager
def replay(module):
    """Within the block, ``rewind()`` puts every generator of ``module`` back where it was.

    Yields the ``rewind`` function. Used to replay dropout masks and noise.
    """
    gens = module.generators() if module is not None else []
    states = [g.bit_generator.state for g in gens]

    def rewind():
        for g, s in zip(gens, states):
            g.bit_generator.state = s

    try:
        yield rewind
    finally:
        rewind()


def _projection(rng, shape):
    return rng.standard_normal(shape)


def check_layer(layer, x, h=1e-5, seed=0):
    """Check a layer's ``backward`` (input and parameter gradients) by central differences.

    The scalar is ``L = sum(forward(x) * r)`` for a fixed random ``r``, so
    ``dL/dy = r`` is fed to ``backward``. The layer and ``x`` are converted
    to float64 first (the layer in place, via ``astype``).

    Parameters
    ----------
    layer : Module
        In the mode (train or eval) to check; random draws are replayed.
    x : ndarray
        Input of the layer.
    h : float, default 1e-5
    seed : int, default 0
        Seed of ``r``.

    Returns
    -------
    float
        Largest relative error over ``dx`` and every parameter gradient.
    """
    checks.has_methods("layer", layer, ("forward", "backward", "parameters", "astype"), "a layer (a numreg Module)")
    x = checks.float_array("x", x, dtype=np.float64).copy()
    h = checks.positive("h", h)
    rng = checks.generator("seed", seed)
    layer.astype(np.float64)
    with replay(layer) as rewind:
        y = layer.forward(x)
        r = _projection(rng, y.shape)
        for p in layer.parameters():
            p.grad.fill(0)
        dx = layer.backward(r.copy())
        analytic = [dx] + [p.grad.copy() for p in layer.parameters()]

        def L():
            rewind()
            return float(np.sum(layer.forward(x) * r))

        numeric = [numerical_gradient(L, x, h)] + [numerical_gradient(L, p.data, h) for p in layer.parameters()]
    return max(rel_error(a, n) for a, n in zip(analytic, numeric))


def check_model(model, criterion, x, y, h=1e-5, directions=None, seed=0, penalties=()):
    """Check the gradient of ``criterion(model(x), y)`` (+ penalties) with respect to every parameter.

    Parameters
    ----------
    model : Module
        Converted to float64 in place. Random draws are replayed.
    criterion : loss with ``forward(output, target)`` and ``backward()``
    x, y : ndarray
        A batch and its targets.
    h : float, default 1e-5
    directions : int or None, default None
        None: every coordinate of every parameter (exact, slow for big
        models). An integer ``d``: instead compare the directional
        derivative ``g . v`` with ``(L(w + h v) - L(w - h v)) / (2h)`` along
        ``d`` random unit directions ``v`` of all parameters at once -- two
        evaluations per direction, so the whole seed network is cheap to
        check, and a missing term still shows.
    seed : int, default 0
    penalties : sequence, default ()
        Objects with ``value(params)`` and ``add_grad(params)`` added to the loss.

    Returns
    -------
    float
        Largest relative error found.
    """
    checks.has_methods("model", model, ("forward", "backward", "parameters", "astype"), "a model (a numreg Module)")
    checks.has_methods("criterion", criterion, ("forward", "backward"), "a loss such as nr.SoftmaxCrossEntropy()")
    h = checks.positive("h", h)
    directions = checks.optional(checks.count, "directions", directions)
    penalties = [checks.has_methods(f"penalties[{i}]", p, ("value", "add_grad"), "a penalty")
                 for i, p in enumerate(checks.sequence("penalties", penalties))]
    model.astype(np.float64)
    x, out = model_input(model, x, "x", np.float64)
    x = x.copy()
    y = targets(y, len(x), out, criterion)
    params = model.parameters()
    with replay(model) as rewind:

        def L():
            rewind()
            v = criterion.forward(model.forward(x), y)
            return v + sum(pen.value(params) for pen in penalties)

        L()
        for p in params:
            p.grad.fill(0)
        model.backward(criterion.backward(), input_grad=False)
        for pen in penalties:
            pen.add_grad(params)
        grads = [p.grad.copy() for p in params]
        if directions is None:
            return max(rel_error(g, numerical_gradient(L, p.data, h)) for g, p in zip(grads, params))
        rng = checks.generator("seed", seed)
        # A random unit direction v gives g.v of typical size ||g|| / sqrt(D) (D parameters);
        # one that happens to give g.v ~ 0 would turn round-off into a large *relative*
        # error, so the denominator is never below that typical size.
        D = sum(p.data.size for p in params)
        typical = np.sqrt(sum(float(np.sum(g * g)) for g in grads) / D)
        worst = 0.0
        for _ in range(int(directions)):
            vs = [rng.standard_normal(p.data.shape) for p in params]
            norm = np.sqrt(sum(np.sum(v * v) for v in vs))
            vs = [v / norm for v in vs]
            analytic = sum(float(np.sum(g * v)) for g, v in zip(grads, vs))
            for p, v in zip(params, vs):
                p.data += h * v
            fp = L()
            for p, v in zip(params, vs):
                p.data -= 2 * h * v
            fm = L()
            for p, v in zip(params, vs):
                p.data += h * v
            worst = max(worst, rel_error(analytic, (fp - fm) / (2 * h), floor=max(typical, 1e-12)))
        return worst
