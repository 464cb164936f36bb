"""The training loop of :meth:`numreg.robust.rbm.RBM.fit`: CD-k or persistent CD with momentum, L2 and a sparsity target.

One update on a mini-batch ``V`` (Hinton's practical guide, §§3-11)::

    g = gradient_estimate(V, k)                  (CD-k, Algorithm 18.2; PCD, Algorithm 18.3)
    g_W -= weight_decay * W                      (the chapter's L2: alpha * W, biases excluded)
    g_c += cost * (p - q),  g_W += cost * mean(V)^T (p - q)      (sparsity target p)
    velocity = momentum * velocity + lr * g;   theta += velocity
"""
import numpy as np

from ..core import checks
from .._tqdm import tqdm_class
from .units import bernoulli as _bernoulli


def train(rbm, X, epochs, batch_size, lr, k, persistent, momentum, weight_decay, sparsity_target, sparsity_cost,
          sparsity_decay, monitor_size, verbose, seed):
    """Train ``rbm`` in place; the arguments are :meth:`RBM.fit`'s (see its docstring). Returns ``rbm``."""
    X = rbm._v(X, "X")
    epochs = checks.count("epochs", epochs)
    batch_size = checks.count("batch_size", batch_size)
    lr = checks.positive("lr", lr)
    k = checks.count("k", k)
    persistent = checks.flag("persistent", persistent)
    momentum = checks.probability("momentum", momentum)
    weight_decay = checks.nonnegative("weight_decay", weight_decay)
    sparsity_target = checks.optional(checks.probability, "sparsity_target", sparsity_target, allow_zero=False)
    sparsity_cost = checks.nonnegative("sparsity_cost", sparsity_cost)
    sparsity_decay = checks.probability("sparsity_decay", sparsity_decay)
    monitor_size = checks.count("monitor_size", monitor_size)
    verbose = checks.flag("verbose", verbose)
    rng = rbm._rng(seed)
    monitor_rng = np.random.default_rng(rng.integers(2**63))
    t = rbm.dtype.type
    vel = [np.zeros_like(p.data) if momentum else None for p in rbm.parameters()]
    q = None
    chain = None
    n = len(X)
    batches = [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
    bar = _progress(epochs * len(batches), verbose)
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start, stop in batches:
            V = X[order[start:stop]]
            if persistent and chain is None:
                chain = _bernoulli(V, rng)          # Tieleman's chains start at (a sample of) the data
            dW, db, dc, Vk, P0 = rbm._gradient(V, k, rng, chain, step=lr)    # lr * g
            if persistent:
                chain = Vk
            if weight_decay:
                dW -= t(lr * weight_decay) * rbm.W.data
            if sparsity_target is not None:
                mean = P0.mean(axis=0)
                q = mean if q is None else t(sparsity_decay) * q + t(1 - sparsity_decay) * mean
                s = t(lr * sparsity_cost) * (t(sparsity_target) - q)
                dc += s
                dW += np.outer(V.mean(axis=0), s)
                if rbm.mask is not None:
                    dW *= rbm.mask
            for p, v, g in zip(rbm.parameters(), vel, (dW, db, dc)):
                if momentum:                     # velocity = momentum * velocity + lr * g
                    v *= t(momentum)
                    v += g
                    p.data += v
                else:
                    p.data += g
            if bar is not None:
                bar.update(1)
        rbm._monitor(X[:monitor_size], monitor_rng)
        if bar is not None:
            bar.set_postfix(epoch=epoch + 1, recon=f"{rbm.history['reconstruction_error'][-1]:.4f}",
                            pll=f"{rbm.history['pseudo_log_likelihood'][-1]:.2f}")
        if rbm.mask is not None:
            assert not np.any(rbm.W.data[~rbm.mask]), "a connection outside the mask became non-zero"
    if bar is not None:
        bar.close()
    return rbm


def _progress(total, verbose):
    if not verbose:
        return None
    return tqdm_class()(total=total, desc="RBM", unit="batch")
