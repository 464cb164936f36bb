"""Forward-mode differentiation through a network, and the backward pass of a tangent (§7.14).

Tangent prop (Eq. 7.67) penalizes the directional derivative ``J v`` of the
network's output ``f(x)`` along a tangent ``v`` of the input, ``J = df/dx``.
``jvp`` computes ``J v`` as the backward pass computes ``J^T dy``: layer by
layer, from what ``forward`` kept, but from the input towards the output
(the "R-operator" of Pearlmutter 1994, forward mode):

    Linear   z = a W + b        ->  z' = a' W
    g        a = g(z)           ->  a' = g'(z) * z'
    Flatten                     ->  a' reshaped

Many tangents per example are carried at once: the primal activations are
``(n, d)``, their tangents ``(n, T, d)``.

``tangent_backward`` is the reverse pass through *both* computations (the
primal ``a`` and the tangent ``a'``): given the adjoints ``gy = dL/dy`` and
``gdy = dL/dy'`` of a layer's outputs it returns those of its inputs and adds
the parameters' gradients. For a loss ``L = Omega(J v)`` this is the
gradient of the tangent-prop penalty with respect to the parameters:

    Linear   dW += a^T gz + sum_t a'_t^T gz'_t,   db += sum_n gz,
             ga = gz W^T,   ga' = gz' W^T
    g        gz' = g'(z) * ga',
             gz  = g'(z) * ga + g''(z) * sum_t z'_t * ga'_t

The ``g''`` term is the second-order one: the tangent ``a' = g'(z) z'``
depends on ``z`` through the slope ``g'(z)``. For ReLU ``g'' = 0``; for tanh
``g' = 1 - y^2``, ``g'' = -2 y (1 - y^2)``; for the sigmoid
``g' = y (1 - y)``, ``g'' = y (1 - y)(1 - 2 y)``.

Supported layers: ``Linear``, ``ReLU``, ``Tanh``, ``Sigmoid``, ``Flatten``,
``Dropout`` (its last mask, a linear map) and ``GaussianNoise`` (additive:
the identity for tangents), and ``Sequential`` of them at any depth. The
functions read what ``forward`` kept, so call ``model.forward(x)`` first.
"""
import numpy as np

from ...core.layers import Flatten, Linear, ReLU, Sigmoid, Tanh
from ...core.model import Sequential
from ..s7_05_noise.noise import GaussianNoise
from ..s7_12_dropout.dropout import Dropout

__all__ = ["jvp", "tangent_backward", "supports"]


def _slopes(layer):
    """``(g'(z), g''(z))`` of an elementwise layer from its kept output ``y``, both ``(n, ...)``."""
    y = layer.y
    if isinstance(layer, ReLU):
        return (y > 0).astype(y.dtype), None
    if isinstance(layer, Tanh):
        d1 = 1 - y * y
        return d1, -2 * y * d1
    d1 = y * (1 - y)                                  # Sigmoid
    return d1, d1 * (1 - 2 * y)


def _matmul(a, M):
    """``a @ M`` for ``a`` of shape ``(n, T, d)`` as one ``(n T, d)`` product (not ``n`` small ones)."""
    return (a.reshape(-1, a.shape[-1]) @ M).reshape(a.shape[:-1] + (M.shape[1],))


def supports(module):
    """Whether ``jvp``/``tangent_backward`` know every layer of ``module``."""
    if isinstance(module, Sequential):
        return all(supports(m) for m in module.layers)
    return isinstance(module, (Linear, ReLU, Tanh, Sigmoid, Flatten, Dropout, GaussianNoise))


def jvp(module, dx):
    """Jacobian-vector products ``J v`` of ``module`` at the input of its last ``forward``.

    Parameters
    ----------
    module : Sequential or layer
        Called with ``forward(x)`` just before, on the ``n`` examples whose
        tangents are given.
    dx : ndarray, (n, T, ...)
        ``T`` tangents per example, each of the input's shape ``x.shape[1:]``.

    Returns
    -------
    dy : ndarray, (n, T, ...)
        The output's tangents ``J v``, ``(n, T, k)`` for a classifier's logits.
    trace : object
        What ``tangent_backward`` needs (the input tangent of every layer).

    Raises
    ------
    TypeError
        If a layer has no forward-mode rule (named in the message).
    """
    if isinstance(module, Sequential):
        traces = []
        for layer in module.layers:
            dx, t = jvp(layer, dx)
            traces.append(t)
        return dx, traces
    if isinstance(module, Linear):
        return _matmul(dx, module.W.data), dx
    if isinstance(module, (ReLU, Tanh, Sigmoid)):
        return _slopes(module)[0][:, None] * dx, dx
    if isinstance(module, Flatten):
        return dx.reshape(dx.shape[0], dx.shape[1], -1), dx.shape
    if isinstance(module, Dropout):
        return (dx if module.mask is None else module.mask[:, None] * dx), None
    if isinstance(module, GaussianNoise):
        return dx, None
    raise TypeError(f"no forward-mode rule for layer {module!r} (type {type(module).__name__}); "
                    f"supported: Linear, ReLU, Tanh, Sigmoid, Flatten, Dropout, GaussianNoise, Sequential")


def tangent_backward(module, trace, gy, gdy, input_grad=True):
    """Back-propagate the adjoints of a layer's output and output tangent; adds parameter gradients.

    Parameters
    ----------
    module : Sequential or layer
        The module ``jvp`` ran through (its forward caches unchanged since).
    trace : object
        The second value returned by ``jvp(module, dx)``.
    gy : ndarray, (n, ...), or None
        ``dL/dy``, the adjoint of the primal output; None means zero.
    gdy : ndarray, (n, T, ...)
        ``dL/dy'``, the adjoint of the output tangents.
    input_grad : bool, default True
        Whether the adjoints of the input are wanted; False stops at the
        first layer with parameters and skips its two products with ``W^T``
        (the largest of the pass when the input is an image).

    Returns
    -------
    gx : ndarray or None
        ``dL/dx`` (None if it is zero, or not wanted).
    gdx : ndarray, (n, T, ...), or None if not wanted
        ``dL/dx'``.
    """
    if isinstance(module, Sequential):
        layers = module.layers
        stop = -1 if input_grad else next((i for i, m in enumerate(layers) if m.parameters()), -1)
        for i in range(len(layers) - 1, stop, -1):
            gy, gdy = tangent_backward(layers[i], trace[i], gy, gdy)
        if stop >= 0:
            tangent_backward(layers[stop], trace[stop], gy, gdy, input_grad=False)
            return None, None
        return gy, gdy
    if isinstance(module, Linear):
        W = module.W
        a, da = module.x, trace
        W.grad += da.reshape(-1, da.shape[-1]).T @ gdy.reshape(-1, gdy.shape[-1])
        gx = None
        if gy is not None:
            W.grad += a.T @ gy
            if module.b is not None:
                module.b.grad += gy.sum(axis=0)
            gx = gy @ W.data.T if input_grad else None
        return gx, (_matmul(gdy, W.data.T) if input_grad else None)
    if isinstance(module, (ReLU, Tanh, Sigmoid)):
        d1, d2 = _slopes(module)
        gz = None if gy is None else d1 * gy
        if d2 is not None:
            second = d2 * np.einsum("nt...,nt...->n...", trace, gdy)
            gz = second if gz is None else gz + second
        return gz, d1[:, None] * gdy
    if isinstance(module, Flatten):
        return (None if gy is None else gy.reshape(module.shape)), gdy.reshape(trace)
    if isinstance(module, Dropout):
        if module.mask is None:
            return gy, gdy
        return (None if gy is None else gy * module.mask), module.mask[:, None] * gdy
    if isinstance(module, GaussianNoise):
        return gy, gdy
    raise TypeError(f"no forward-mode rule for layer {module!r} (type {type(module).__name__})")
