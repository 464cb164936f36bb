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

Every elementwise kernel gives the same bits whatever the block size and the
number of threads: each element goes through the same operations in the
same order; only which thread computes it, and when, changes.
"""
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: Name of the environment variable that fixes the number of threads (BLAS and elementwise).
THREADS_ENV = "NUMREG_THREADS"

#: Elements per block of an elementwise pass (float32: 128 KiB per array).
#: Adam touches six arrays per block (w, g, m, v and two scratch), 768 KiB,
#: inside a 1 MiB L2 cache. Measured in ``benchmarks/README.md``.
BLOCK = 32768

#: Fewer elements than this are neither split between threads nor cut into
#: blocks: handing work to another thread costs 20-50 us, and each block costs
#: a Python call per operation. The seed network's Adam (118,282 floats) took
#: 0.130 ms whole, 0.141 ms in blocks of 32 K, 0.17 ms split between two threads.
MIN_PARALLEL = 8 * BLOCK

_UINT = {8: np.uint8, 16: np.uint16, 32: np.uint32}


# --------------------------------------------------------------------------------------------
# The thread policy
# --------------------------------------------------------------------------------------------

def env_threads(environ=None):
    """The thread count fixed by ``NUMREG_THREADS``, or None if it is unset or empty.

    Parameters
    ----------
    environ : mapping or None, default None
        Where to look; None means ``os.environ``.

    Returns
    -------
    int or None

    Raises
    ------
    ValueError
        If the variable holds anything but a positive integer, naming it and
        its value, e.g. ``NUMREG_THREADS='abc'``.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(THREADS_ENV, "")
    if raw.strip() == "":
        return None
    n = int(raw.strip()) if raw.strip().isdigit() else 0
    if not 1 <= n <= 1024:
        raise ValueError(f"{THREADS_ENV} must be a positive integer (number of threads), "
                         f"got {THREADS_ENV}={raw!r}")
    return n


def available_cores():
    """How many CPUs this process may run on (its affinity mask, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _busy_jiffies():
    """Total busy time of all CPUs in seconds (``/proc/stat``'s clock ticks over ``SC_CLK_TCK``), or None off Linux.

    All the CPUs the kernel shows count, also those outside this process's
    affinity mask: in a container pinned to some of them, the load of the
    others is counted too (the policy then errs towards fewer threads).
    """
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
    except OSError:
        return None
    v = [int(x) for x in fields]
    idle = v[3] + (v[4] if len(v) > 4 else 0)          # idle + iowait
    total = sum(v[:8])                                  # guest time is already in user
    return (total - idle) / os.sysconf("SC_CLK_TCK")


class LoadProbe:
    """The CPU time other processes used, in cores, between two calls.

    ``/proc/stat`` gives the busy time of all CPUs, ``os.times()`` this
    process's own (every thread, BLAS's included); their difference, over
    the wall time between two calls, is the other processes' load. The
    clock ticks are 10 ms, so an interval shorter than ``min_interval``
    keeps the previous figure. The first call has no interval yet: it
    watches the machine for ``first_window`` seconds (sleeping, so that
    everything it sees is the others').

    Parameters
    ----------
    min_interval : float, default 0.25
        Seconds below which a new figure is not computed.
    first_window : float, default 0.05
        Seconds the first call watches.
    """

    def __init__(self, min_interval=0.25, first_window=0.05):
        self.min_interval = float(min_interval)
        self.first_window = float(first_window)
        self._last = None
        self.value = None

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system

    def _sample(self):
        return time.monotonic(), _busy_jiffies(), self._own()

    def __call__(self):
        """Cores' worth of CPU the other processes used since the previous call (a float >= 0)."""
        if self._last is None:
            self._last = self._sample()
            if self._last[1] is None:                  # no /proc/stat: assume a quiet machine
                self.value = 0.0
                return self.value
            time.sleep(self.first_window)
        now, busy, own = self._sample()
        if busy is None:
            return self.value
        t0, b0, o0 = self._last
        if self.value is None or now - t0 >= self.min_interval:
            self.value = max(0.0, ((busy - b0) - (own - o0)) / (now - t0))
            self._last = (now, busy, own)
        return self.value


_probe = LoadProbe()


def free_cores(load=None, cores=None):
    """Cores left for this process: ``cores - load`` rounded to the nearest integer, at least 1.

    Parameters
    ----------
    load : float or None, default None
        The other processes' load in cores; None measures it (:class:`LoadProbe`).
    cores : int or None, default None
        The cores this process may use; None asks :func:`available_cores`.
    """
    cores = available_cores() if cores is None else int(cores)
    load = _probe() if load is None else float(load)
    return max(1, min(cores, int(math.floor(cores - load + 0.5))))


class _Blas:
    """The BLAS libraries' thread count through threadpoolctl, with a setter that skips no-ops."""

    def __init__(self):
        self._controller = None
        self.initial = None         # threads BLAS had when numreg first asked (OPENBLAS_NUM_THREADS, ...)
        self.threads = None

    def controller(self):
        """The BLAS libraries' controllers (an empty list without threadpoolctl: nothing is set)."""
        if self._controller is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:                        # an install without its requirements
                self._controller = []
            else:
                self._controller = ThreadpoolController().select(user_api="blas").lib_controllers
            self.initial = self.get()
        return self._controller

    def get(self):
        return min((lib.get_num_threads() for lib in self.controller()), default=None)

    def set(self, n):
        if n == self.threads:
            return
        for lib in self.controller():
            lib.set_num_threads(int(n))
        self.threads = n


_blas = _Blas()


def set_blas_threads(n):
    """Set the BLAS libraries' thread count with threadpoolctl (until the policy sets it again).

    Parameters
    ----------
    n : int
        Threads, >= 1; ``ValueError`` naming ``n`` otherwise.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer number of threads, got n={n!r}")
    _blas.threads = None
    _blas.set(int(n))


def blas_threads():
    """The BLAS libraries' current thread count (the smallest, if several are loaded), or None."""
    return _blas.get()


_last_choice = [None]


def apply_thread_policy(load=None):
    """Choose and set the threads of OpenBLAS and of the elementwise pool; returns the choice.

    The policy:

    - ``NUMREG_THREADS=n`` set: ``n`` threads for both, whatever the load.
    - Otherwise: the free cores (:func:`free_cores`: this process's cores
      minus the other processes' load, rounded), at most the BLAS thread
      count the process started with (so ``OPENBLAS_NUM_THREADS=1``, which
      the test suite sets, keeps everything on one thread), for both. A
      previous choice is kept while ``cores - load`` stays within 0.75 of
      it (hysteresis: a load hovering near half a core does not flip it).

    Measured (``benchmarks/README.md``): on an idle 2-core machine a second
    BLAS thread nearly halves even the seed network's small products, so
    there is no size threshold; with one busy competitor, a second thread
    makes every product and every parallel pass wait for a core that is
    taken (a wide step: 32 ms with one thread, 366 ms with two), so the
    policy drops to one. ``Sequential.train()`` calls this (once per epoch
    in ``fit``), so the choice follows the load.

    Parameters
    ----------
    load : float or None, default None
        The other processes' load in cores; None measures it (:class:`LoadProbe`).

    Returns
    -------
    dict
        ``{"threads": int, "load": float or None, "source": "NUMREG_THREADS" or "policy"}``.

    Notes
    -----
    Reproducibility: OpenBLAS's float32 products change in their last bits
    with its thread count (measured: 9 of 15 product shapes of these
    networks differ between 1 and 2 threads), so runs with the same seed
    are bit-identical only under the same thread count. The elementwise
    pool never changes a bit. To reproduce a run exactly on a machine whose
    load varies, fix the count: ``NUMREG_THREADS=1`` (or 2).
    """
    n = env_threads()
    if n is not None:
        threads, load_, source = n, None, THREADS_ENV
    else:
        load_ = _probe() if load is None else float(load)
        _blas.controller()
        cores = available_cores()
        cap = _blas.initial or cores
        threads, source = min(cap, free_cores(load_, cores)), "policy"
        previous = _last_choice[0]
        if previous is not None and previous <= cap and abs((cores - load_) - previous) < 0.75:
            threads = previous
    _last_choice[0] = threads
    _blas.set(threads)
    pool().resize(threads)
    return {"threads": threads, "load": load_, "source": source}


# --------------------------------------------------------------------------------------------
# The elementwise pool
# --------------------------------------------------------------------------------------------

class ElementwisePool:
    """A small persistent thread pool that runs an elementwise kernel over blocks of flat arrays.

    ``run(kernel, arrays, consts)`` cuts the range ``[0, n)`` of the flat
    arrays into blocks of at most ``block`` elements, gives each of the
    ``threads`` threads a contiguous run of blocks (the calling thread takes
    the first run), and calls ``kernel(*views, scratch, consts)`` on each
    block, where ``views`` are the arrays' slices of that block and
    ``scratch`` the thread's own preallocated buffers. NumPy releases the
    GIL inside its ufunc loops, so the threads compute at the same time.
    Results do not depend on ``threads`` or ``block``: the kernel is
    elementwise, so every element sees the same operations.

    Parameters
    ----------
    threads : int, default 1
        Threads that compute (the caller and ``threads - 1`` workers).
    block : int, default BLOCK
        Elements per block (the cache blocking).
    """

    def __init__(self, threads=1, block=BLOCK):
        if not isinstance(block, (int, np.integer)) or block < 64:
            raise ValueError(f"block must be an integer >= 64, got block={block!r}")
        self.block = int(block)
        self.threads = 1
        self._executor = None
        self._scratch = {}
        self._lock = threading.Lock()
        self.resize(threads)

    def resize(self, threads):
        """Use ``threads`` threads from now on; returns self.

        Parameters
        ----------
        threads : int
            >= 1 (``ValueError`` naming ``threads`` otherwise); the workers are
            replaced only when the number changes.
        """
        if not isinstance(threads, (int, np.integer)) or isinstance(threads, bool) or threads < 1:
            raise ValueError(f"threads must be a positive integer, got threads={threads!r}")
        threads = int(threads)
        if threads != self.threads:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            if threads > 1:
                self._executor = ThreadPoolExecutor(threads - 1, thread_name_prefix="numreg-elementwise")
            self.threads = threads
        return self

    def scratch(self, part, dtype, count, size=None):
        """Preallocated buffers of thread ``part``, kept from call to call.

        Parameters
        ----------
        part : int
            Which thread (0 is the caller).
        dtype : dtype
        count : int
            How many buffers.
        size : int or None, default None
            Elements at least in each; None means ``block``.
        """
        size = self.block if size is None else max(int(size), self.block)
        key = (part, np.dtype(dtype))
        bufs = self._scratch.get(key)
        if bufs is None or len(bufs) < count or bufs[0].size < size:
            bufs = [np.empty(size, dtype) for _ in range(max(count, len(bufs or ())))]
            self._scratch[key] = bufs
        return bufs

    def _parts(self, n):
        """Ranges ``[a, b)`` of whole blocks, one per thread that has work."""
        blocks = -(-n // self.block)
        k = 1 if n < MIN_PARALLEL else min(self.threads, blocks)
        per = -(-blocks // k)
        return [(i * per * self.block, min(n, (i + 1) * per * self.block)) for i in range(k) if i * per * self.block < n]

    def _work(self, part, a, b, kernel, arrays, consts, n_scratch, block=None):
        block = block or self.block
        bufs = self.scratch(part, arrays[0].dtype, n_scratch, block) if n_scratch else []
        for s in range(a, b, block):
            e = min(b, s + block)
            kernel(*(x[s:e] for x in arrays), [t[: e - s] for t in bufs], consts)

    def run(self, kernel, arrays, consts=(), n_scratch=0):
        """Apply ``kernel`` to every block of the flat, equally long ``arrays``.

        Parameters
        ----------
        kernel : callable
            ``kernel(*views, scratch, consts)``; must be elementwise and work in place.
        arrays : sequence of 1-d ndarray
            Same length and dtype.
        consts : tuple, default ()
            Passed to every call (scalars in the arrays' dtype).
        n_scratch : int, default 0
            Scratch buffers the kernel needs, each as long as the block.
        """
        n = arrays[0].shape[0]
        if n < MIN_PARALLEL:                           # small: one thread, one block (no per-block calls)
            self._work(0, 0, n, kernel, arrays, consts, n_scratch, block=max(n, 1))
            return
        parts = self._parts(n)
        if len(parts) == 1 or self._executor is None:
            self._work(0, 0, n, kernel, arrays, consts, n_scratch)
            return
        with self._lock:                               # one parallel pass at a time
            futures = [self._executor.submit(self._work, i, a, b, kernel, arrays, consts, n_scratch)
                       for i, (a, b) in enumerate(parts[1:], start=1)]
            self._work(0, *parts[0], kernel, arrays, consts, n_scratch)
            for f in futures:
                f.result()


_pool = None


def _forget_pool_after_fork():
    """In a forked child the pool's worker threads do not exist: start afresh (one thread)."""
    global _pool
    _pool = None
    _last_choice[0] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def pool():
    """The process's :class:`ElementwisePool` (created with ``NUMREG_THREADS`` threads, else 1)."""
    global _pool
    if _pool is None:
        _pool = ElementwisePool(env_threads() or 1)
    return _pool


def _flat(a):
    """``a`` as a 1-d view (no copy); ``ValueError`` if it is not contiguous."""
    if not a.flags.c_contiguous:
        raise ValueError(f"kernels work on contiguous arrays, got an array with strides {a.strides}")
    return a.reshape(-1)


# --------------------------------------------------------------------------------------------
# Optimizer steps
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Dropout masks
# --------------------------------------------------------------------------------------------

def bernoulli_bits(rng, q, shape):
    """A boolean array that is True with probability ``q``, independently per entry, from raw bits.

    The mask ``u < q`` for ``u`` uniform, with ``u = k / 2^b`` a ``b``-bit
    binary fraction (``k`` uniform in ``{0, ..., 2^b - 1}``), computed as
    ``k < ceil(q 2^b)``. ``P(u < q) = ceil(q 2^b) / 2^b``: exactly ``q``
    when ``q 2^b`` is an integer, so ``b`` is the fewest of 1, 8 or 16 bits
    for which it is (``q = 0.5``: one bit per entry; ``q = 0.75``: 8 bits),
    and otherwise ``b = 32``, where ``P`` exceeds ``q`` by less than
    ``2^-32`` (finer than the ``2^-24`` of a float32 uniform). The bits are
    the raw 64-bit words of ``rng``'s bit generator, little-endian: entry
    ``i`` takes bits ``[i b, (i + 1) b)`` of the word stream, so restoring
    ``rng.bit_generator.state`` replays the draw.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the bits.
    q : float
        Probability of True, in [0, 1].
    shape : tuple of int
        Shape of the result.

    Returns
    -------
    ndarray of bool, ``shape``

    Notes
    -----
    Only the bits needed are drawn: with ``q = 0.5`` a (256, 128) mask
    takes 512 words of the generator, where 32,768 float32 uniforms
    (``rng.random(shape) < q``) take 16,384 words and ten times as long.
    ``tests/core/test_kernels.py`` checks that the mask equals ``k / 2^b < q``
    computed from the same words.
    """
    n = math.prod(shape)
    bits = bits_per_entry(q)
    threshold = math.ceil(q * 2**bits)                         # keep where k < q 2^b
    words = rng.bit_generator.random_raw(-(-n * bits // 64))   # ceil(n b / 64) words of 64 bits
    if bits == 1:
        k = np.unpackbits(words.view(np.uint8), count=n, bitorder="little")  # one bit per entry
    else:
        k = words.view(_UINT[bits])[:n]                        # 64/b entries per word
    return (k < threshold).reshape(shape)


def bits_per_entry(q):
    """The ``b`` that :func:`bernoulli_bits` uses for probability ``q``: 1, 8, 16 or 32.

    Parameters
    ----------
    q : float
        Probability of True, in [0, 1]: the fewest of 1, 8, 16 bits for which ``q 2^b`` is an
        integer, else 32.
    """
    return next((b for b in (1, 8, 16) if (q * 2**b).is_integer()), 32)


# --------------------------------------------------------------------------------------------
# Layers and loss
# --------------------------------------------------------------------------------------------

_zero_rows = {}


def relu(x):
    """``max(x, 0)`` elementwise, as a new array: ``np.maximum(x, 0)``, bit for bit, 2.5 times as fast.

    NumPy's ``maximum`` of an array and the scalar 0 runs a slow loop; the
    same maximum against a row of zeros broadcast over the batch runs its
    vectorized array-array loop (11.4 -> 4.1 us for a (256, 128) batch,
    87 -> 36 us for (256, 1024)). Same values, same signs of zero, NaN
    kept (``tests/core/test_kernels.py`` compares the bits).

    Parameters
    ----------
    x : ndarray, (n, ...) floating

    Returns
    -------
    ndarray, like ``x``
    """
    if x.ndim == 0:
        return np.maximum(x, x.dtype.type(0))
    key = (x.shape[1:], x.dtype)
    zero = _zero_rows.get(key)
    if zero is None:
        if len(_zero_rows) > 64:                       # many shapes (e.g. convolutions): start afresh
            _zero_rows.clear()
        zero = _zero_rows.setdefault(key, np.zeros(x.shape[1:], x.dtype))
    return np.maximum(x, zero)


def bias_relu_(y, b):
    """``y <- max(y + b, 0)`` in place: a ``Linear`` output's bias and a ReLU in two passes, no allocation.

    Reference: ``np.maximum(y + b, 0)``, bit for bit: the same two
    operations, the second written over the first's result instead of a
    new array.

    Parameters
    ----------
    y : ndarray, (n, m)
        ``x @ W``, overwritten.
    b : ndarray, (m,)

    Returns
    -------
    y
    """
    y += b
    return np.maximum(y, y.dtype.type(0), out=y)


def log_softmax_t(z):
    """Row-wise ``log softmax(z)``, computed on a transposed copy; returns a ``(n, k)`` view.

    ``log softmax(z)_ij = z_ij - c_i - log sum_j exp(z_ij - c_i)``,
    ``c_i = max_j z_ij`` (the log-sum-exp trick: every ``exp`` is at most 1).
    The readable form, ``numreg.core.losses.log_softmax``, reduces along
    each row of ``(n, k)``: ``n`` short reductions of ``k`` numbers. Here
    the work is done on ``z^T``, ``(k, n)``, so that a reduction over the
    classes runs along whole rows of the batch, which NumPy vectorizes:
    twice as fast for the seed's ``(256, 10)`` logits.

    Parameters
    ----------
    z : ndarray, (n, k)

    Returns
    -------
    ndarray, (n, k)
        A transposed view of a C-ordered ``(k, n)`` array.

    Notes
    -----
    The max is exact whatever the order; the sum is not. Here
    ``sum_j exp(z_ij - c_i)`` is added in class order,
    ``((e_0 + e_1) + e_2) + ... + e_{k-1}``; NumPy's row-wise sum (the
    reference) uses pairwise summation, which for ``k >= 8`` adds eight
    partial sums ``r_j = e_j + e_{j+8} + ...`` as
    ``((r_0 + r_1) + (r_2 + r_3)) + ((r_4 + r_5) + (r_6 + r_7))`` and then
    the ``k mod 8`` last terms in order; for ``k < 8`` it adds in class
    order. The results are identical for ``k < 8`` and within a few units
    in the last place of the log-sum otherwise (the test checks both, and
    equality with an explicitly sequential reference for every ``k``).
    """
    zt = np.asarray(z).T.copy()          # a C-ordered (k, n) copy
    zt -= zt.max(axis=0)                 # z - c
    zt -= np.log(np.exp(zt).sum(axis=0))
    return zt.T


def softmax_xent_grad_(p, labels, on, off):
    """``dJ/dz = (softmax(z) - t) / n`` in place on ``p = softmax(z)``, with ``t`` from integer labels.

    ``t_ij = on`` for ``j = labels_i`` and ``off`` elsewhere (label
    smoothing, §7.5.1). The reference builds ``t`` as an ``(n, k)`` array;
    here ``p - off`` is computed everywhere, and ``p_iy - on`` at the
    labels, from the saved ``p_iy``: the same subtractions, so the same bits,
    without the target array. The division by ``n`` is a division, as in
    the reference (a multiplication by ``1/n`` would round differently
    unless ``n`` is a power of 2).

    Parameters
    ----------
    p : ndarray, (n, k)
        ``softmax(z)``; overwritten with the gradient.
    labels : ndarray of int, (n,)
    on, off : float
        Target probability of the labelled class and of every other.

    Returns
    -------
    p
    """
    n = p.shape[0]
    rows = np.arange(n)
    f = p.dtype.type
    picked = p[rows, labels]             # a copy: p_iy
    if off:
        p -= f(off)
    picked -= f(on)
    p[rows, labels] = picked
    p /= f(n)
    return p
