"""The elementwise pool: a small persistent thread pool that runs a kernel over cache-sized blocks of flat arrays."""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np


#: Adam touches six arrays per block (w, g, m, v and two scratch), 768 KiB,
#: inside a 1 MiB L2 cache. Measured in ``benchmarks/README.md``.
BLOCK = 32768

#: Fewer elements than this are neither split between threads nor cut into
#: blocks: handing work to another thread costs 20-50 us, and each block costs
#: a Python call per operation. The seed network's Adam (118,282 floats) took
#: 0.130 ms whole, 0.141 ms in blocks of 32 K, 0.17 ms split between two threads.
MIN_PARALLEL = 8 * BLOCK


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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def pool():
    """The process's :class:`ElementwisePool` (created with ``NUMREG_THREADS`` threads, else 1)."""
    from .threads import env_threads      # (threads.py imports this module: the policy resizes the pool)
    global _pool
    if _pool is None:
        _pool = ElementwisePool(env_threads() or 1)
    return _pool


def _flat(a):
    """``a`` as a 1-d view (no copy); ``ValueError`` if it is not contiguous."""
    if not a.flags.c_contiguous:
        raise ValueError(f"kernels work on contiguous arrays, got an array with strides {a.strides}")
    return a.reshape(-1)
