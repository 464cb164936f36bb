"""The thread policy: how many threads OpenBLAS and the elementwise pool use, from ``NUMREG_THREADS`` or the load."""
import math
import os
import time

import numpy as np

from .elementwise import pool


#: Name of the environment variable that fixes the number of threads (BLAS and elementwise).
THREADS_ENV = "NUMREG_THREADS"

#: The policy keeps its previous choice while ``cores - load`` stays closer to it than this.
#: It must stay below 2/3: while numreg runs two threads on two cores, one busy
#: competitor gets only its fair share, 2 / 3 of a core, so it is *seen* as a
#: load of about 0.67 (measured: 0.71); a band of 0.75 kept two threads under
#: it and the wide epoch took 3.0 x its quiet time (``benchmarks/README.md``).
HYSTERESIS = 0.6


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
      previous choice is kept while ``cores - load`` stays within
      :data:`HYSTERESIS` (0.6) of it (a load hovering near half a core does
      not flip it, and one busy competitor, seen as 2/3 of a core while
      numreg holds both, does).

    Measured (``benchmarks/README.md``): on an idle 2-core machine a second
    BLAS thread nearly halves even the seed network's small products, so
    there is no size threshold; with one busy competitor, a second thread
    makes every product and every parallel pass wait for a core that is
    taken (a wide step: 32 ms with one thread, 366 ms with two), so the
    policy drops to one. ``fit`` calls this once per epoch
    (``training.run.Run.epochs``), so the choice follows the load.

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
        if previous is not None and previous <= cap and abs((cores - load_) - previous) < HYSTERESIS:
            threads = previous
    _last_choice[0] = threads
    _blas.set(threads)
    pool().resize(threads)
    return {"threads": threads, "load": load_, "source": source}


def _forget_choice_after_fork():
    """A forked child starts with a fresh pool (see :mod:`.pool`), so it forgets the last choice too."""
    _last_choice[0] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_choice_after_fork)
