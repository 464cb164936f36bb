"""The fast forms: every speed device of the engine, in one place, next to the formula it computes.

The techniques' own code shows the book's formulas, readable and per
parameter (``Adam``'s update in :mod:`numreg.core.optim` is Algorithm 8.7
line by line, the dropout mask is ``u < 1 - p``, the log-softmax is
``z - c - log sum exp(z - c)`` along each row). This module holds the
forms that run in training, each with the reference it must agree with
named in its docstring and an agreement test in ``tests/core/test_kernels.py``:

==========================  ==========================================  ====================
fast form                   reference                                   agreement
==========================  ==========================================  ====================
:func:`adam_`               ``optim.adam_reference`` (Algorithm 8.7)    a few ulp of a step
:func:`sgd_`                ``optim.sgd_reference`` (Algorithms 8.1-3)  bit for bit
:func:`bernoulli_bits`      ``u < q`` with ``u = k / 2^b``              bit for bit
:func:`bias_relu_`          ``np.maximum(y + b, 0)``                    bit for bit
:func:`relu`                ``np.maximum(x, 0)`` (``ReLU.forward``)     bit for bit
:func:`log_softmax_t`       ``losses.log_softmax`` (row-wise)           see its Notes
:func:`softmax_xent_grad_`  ``(softmax(z) - t) / n``                    bit for bit
:func:`fill_`               ``a[...] = value``                          bit for bit
==========================  ==========================================  ====================

The devices are: in-place updates with ``out=`` and preallocated scratch
(no allocation per step), work on *blocks* of a packed parameter array small
enough to stay in the L2 cache (:data:`BLOCK` elements), blocks shared
between threads (:class:`ElementwisePool`: NumPy releases the GIL inside a
ufunc loop, so two threads run two blocks at once), and the thread policy
(:func:`apply_thread_policy`) that chooses how many threads OpenBLAS and the
pool use, from the ``NUMREG_THREADS`` environment variable or else the
other processes' load. (One more device lives with the data it concerns:
``Parameter.zero_grad`` only marks the gradient as zero, so that
``Linear.backward`` can write ``x^T dy`` into it without a fill and an
addition; see :class:`numreg.core.parameter.Parameter`.)

The package: :mod:`.steps` (optimizer steps, fill), :mod:`.masks` (dropout
masks), :mod:`.activations` (ReLU, log-softmax, the loss gradient),
:mod:`.elementwise` (the pool and its blocks), :mod:`.threads` (the policy).

Every elementwise kernel gives the same bits whatever the block size and the
number of threads: each element goes through the same operations in the
same order; only which thread computes it, and when, changes.
"""
from .activations import bias_relu_, log_softmax_t, relu, softmax_xent_grad_
from .masks import bernoulli_bits, bits_per_entry
from .elementwise import BLOCK, MIN_PARALLEL, ElementwisePool, pool
from .steps import adam_, fill_, sgd_
from .threads import (THREADS_ENV, LoadProbe, _blas, apply_thread_policy, available_cores, blas_threads,
                      env_threads, free_cores, set_blas_threads)

__all__ = ["adam_", "sgd_", "fill_", "bernoulli_bits", "bits_per_entry", "relu", "bias_relu_", "log_softmax_t",
           "softmax_xent_grad_", "BLOCK", "MIN_PARALLEL", "ElementwisePool", "pool", "THREADS_ENV", "LoadProbe",
           "apply_thread_policy", "available_cores", "blas_threads", "env_threads", "free_cores", "set_blas_threads"]
