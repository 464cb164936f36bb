"""The optimizers' fast steps: Adam/AdamW and SGD in place, in blocks on the pool, and a pooled fill."""
import math

import numpy as np

from .elementwise import _flat, pool


def _adam_block(w, g, m, v, scratch, c):
    c1, c2, eps_hat, step, wd, decay = c
    t1, t2 = scratch
    if decay is not None:                 # AdamW: w <- (1 - lr lambda) w
        w *= decay
    if wd is not None:                    # Adam: g <- g + lambda w
        np.multiply(w, wd, out=t2)
        t2 += g
        g = t2
    np.subtract(g, m, out=t1)             # m <- m + (1 - beta1)(g - m)  = beta1 m + (1 - beta1) g
    t1 *= c1
    m += t1
    np.multiply(g, g, out=t1)             # v <- v + (1 - beta2)(g^2 - v) = beta2 v + (1 - beta2) g^2
    t1 -= v
    t1 *= c2
    v += t1
    np.sqrt(v, out=t1)                    # w <- w - step * m / (sqrt(v) + eps_hat)
    t1 += eps_hat
    np.divide(m, t1, out=t1)
    t1 *= step
    w -= t1


def adam_(w, g, m, v, *, lr, beta1, beta2, eps, t, weight_decay=0.0, decoupled=False, threads=None):
    """One Adam (or AdamW) step in place on contiguous arrays: 12 passes, blocked and threaded.

    The update of ``numreg.core.optim.adam_reference`` (Algorithm 8.7, with
    PyTorch's weight decay)::

        w <- w - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    rewritten so that the bias corrections fold into two scalars::

        w <- w - step * m / (sqrt(v) + eps_hat),
        step = lr * sqrt(1 - beta2^t) / (1 - beta1^t),   eps_hat = eps * sqrt(1 - beta2^t)

    (multiply the fraction's numerator and denominator by ``sqrt(1 - beta2^t)``),
    and the moments as ``m <- m + (1 - beta1)(g - m)``, ``v <- v + (1 - beta2)(g^2 - v)``
    (PyTorch's ``lerp``). That is 12 elementwise operations instead of the
    reference's 14 (two divisions by the bias corrections fewer), each
    written into one of two scratch buffers per thread, on blocks of
    :data:`BLOCK` elements that stay in the L2 cache, shared by the pool's threads.

    Agreement: the same real-number update, not the same bits: the
    reference rounds ``m / (1 - beta1^t)``, ``v / (1 - beta2^t)`` and
    ``beta1 m + (1 - beta1) g`` where this rounds ``step``, ``eps_hat`` and
    ``g - m``. ``tests/core/test_kernels.py`` measures the difference of
    one step's change of ``w`` (at most a few units in the last place of
    that change). The result does not depend on the block size or the
    number of threads (bit for bit).

    Parameters
    ----------
    w, g, m, v : ndarray
        Parameters, gradient, first and second moments; contiguous, one
        shape and floating dtype. ``w``, ``m``, ``v`` are updated; ``g`` is not.
    lr : float
        Learning rate.
    beta1, beta2 : float
        Decay rates of the moments (``rho1``, ``rho2`` of Algorithm 8.7).
    eps : float
        ``delta`` of Algorithm 8.7, added to ``sqrt(v_hat)``.
    t : int
        The step number, from 1 (bias corrections ``1 - beta^t``).
    weight_decay : float, default 0.0
        ``lambda``; 0 for none.
    decoupled : bool, default False
        True: AdamW's decay ``w <- (1 - lr lambda) w``; False: Adam's L2 term ``g <- g + lambda w``.
    threads : ElementwisePool or None, default None
        The pool to use; None for the process's :func:`pool`.
    """
    f = w.dtype.type
    bc1, bc2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
    wd = f(weight_decay) if weight_decay and not decoupled else None
    decay = f(1.0 - lr * weight_decay) if weight_decay and decoupled else None
    consts = (f(1.0 - beta1), f(1.0 - beta2), f(eps * math.sqrt(bc2)), f(lr * math.sqrt(bc2) / bc1), wd, decay)
    (threads or pool()).run(_adam_block, [_flat(a) for a in (w, g, m, v)], consts, n_scratch=2)


def _sgd_block(w, g, v, scratch, c):
    lr, mu, wd, nesterov = c
    t1, t2 = scratch
    if wd is not None:                    # g <- g + lambda w
        np.multiply(w, wd, out=t1)
        t1 += g
        g = t1
    if mu is not None:
        v *= mu                           # v <- mu v + g
        v += g
        if nesterov:                      # g <- g + mu v
            np.multiply(v, mu, out=t2)
            t2 += g
            g = t2
        else:
            g = v
    np.multiply(g, lr, out=t2)            # w <- w - lr g
    w -= t2


def sgd_(w, g, v=None, *, lr, momentum=0.0, nesterov=False, weight_decay=0.0, threads=None):
    """One SGD step in place (momentum, Nesterov, weight decay as ``torch.optim.SGD``), blocked and threaded.

    The operations of ``numreg.core.optim.sgd_reference``, in its order::

        g <- g + lambda w;   v <- mu v + g;   g <- g + mu v (Nesterov) or v;   w <- w - lr g

    Parameters
    ----------
    w, g : ndarray
        Parameters (updated) and gradient; contiguous, one shape and dtype.
    v : ndarray or None, default None
        Momentum buffer (updated); needed when ``momentum > 0``.
    lr : float
        Learning rate.
    momentum : float, default 0.0
    nesterov : bool, default False
    weight_decay : float, default 0.0
    threads : ElementwisePool or None, default None
    """
    f = w.dtype.type
    if momentum and v is None:
        raise ValueError("sgd_ with momentum > 0 needs the momentum buffer v, got v=None")
    consts = (f(lr), f(momentum) if momentum else None, f(weight_decay) if weight_decay else None, bool(nesterov))
    arrays = [w, g, v if momentum else w]                 # a placeholder when there is no buffer
    (threads or pool()).run(_sgd_block, [_flat(a) for a in arrays], consts, n_scratch=2)


def _fill_block(a, scratch, c):
    a.fill(c[0])


def fill_(a, value=0, threads=None):
    """``a[...] = value`` on a contiguous array, in blocks shared by the pool's threads.

    Parameters
    ----------
    a : ndarray
        Contiguous; overwritten.
    value : scalar, default 0
        Cast to ``a``'s dtype.
    threads : ElementwisePool or None, default None
        The pool to use; None for the process's :func:`pool`.
    """
    (threads or pool()).run(_fill_block, [_flat(a)], (a.dtype.type(value),))
