"""Where runs go: this process, a local process pool, or Dask (a local cluster or a scheduler).

Every choice is a ``concurrent.futures.Executor``; Dask's is
``distributed.Client.get_executor()``. Dask is imported only when asked
for (``pip install -e ".[distributed]"``), never by the rest of numreg.
"""
import os
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor

EXECUTORS = ("local", "processes", "dask")


class InProcessExecutor(Executor):
    """Run each call at once, in this process (``--executor local``: debugging, pdb, profiling)."""

    def submit(self, fn, /, *args, **kwargs):
        """Call ``fn(*args, **kwargs)`` now; a ``Future`` holding its result or its exception."""
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:   # noqa: BLE001 -- handed to the caller through the future
            future.set_exception(e)
        return future


def _watch_parent(parent, interval):
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def exit_with_parent(parent, interval=0.5):
    """Pool initializer: end this worker process soon after ``parent`` (the runner) is gone.

    A ``ProcessPoolExecutor`` worker whose runner was killed (``kill -9``,
    the OOM killer) would otherwise wait on its queue forever; a daemon
    thread checks every ``interval`` seconds that the parent is alive.
    """
    threading.Thread(target=_watch_parent, args=(parent, interval), daemon=True).start()


def _process_pool(n):
    return ProcessPoolExecutor(max_workers=n, initializer=exit_with_parent, initargs=(os.getpid(),))


def _check_workers(workers):
    if workers is None:
        return os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got workers={workers!r}")
    return workers


class ExecutorHandle:
    """An executor, how many runs to keep in flight on it, and how to replace it if it breaks.

    A process pool whose worker dies is broken for good
    (``BrokenProcessPool``); :meth:`renew` makes a new one. A Dask cluster
    replaces a dead worker itself.

    Parameters
    ----------
    factory : callable or None
        ``factory() -> Executor``; None when the executor was given ready-made.
    executor : Executor or None, default None
        The executor to use first (default: ``factory()``).
    window : int, default 1
        Runs submitted at a time (1 for the in-process executor).
    close : callable or None, default None
        Called by :meth:`shutdown` instead of ``executor.shutdown`` (Dask).
    """

    def __init__(self, factory, executor=None, window=1, close=None):
        self.factory, self.window, self._close = factory, window, close
        self.executor = executor if executor is not None else factory()
        self.generation = 0

    def renew(self):
        """Replace a broken executor by a new one; ``RuntimeError`` if it was given ready-made."""
        if self.factory is None:
            raise RuntimeError("the executor broke (a worker died) and it was given ready-made, so it cannot be "
                               "rebuilt; pass executor='processes' (or a factory) to have broken pools replaced")
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.factory()
        self.generation += 1

    def shutdown(self, cancel=False):
        """Stop the executor (and the Dask client and cluster numreg started)."""
        if self._close is not None:
            self._close()
        else:
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)


def _dask(workers, scheduler):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("executor='dask' needs Dask: pip install -e \".[distributed]\"") from None
    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(n_workers=_check_workers(workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0")
        client = Client(cluster)

    def close():
        client.close()
        if cluster is not None:
            cluster.close()
    slots = sum(client.nthreads().values()) or 1
    return ExecutorHandle(None, client.get_executor(), window=2 * slots, close=close)


def open_executor(executor="processes", workers=None, scheduler=None):
    """An :class:`ExecutorHandle` for ``executor``.

    Parameters
    ----------
    executor : {"local", "processes", "dask"}, Executor or callable, default "processes"
        ``"local"``: in this process, one run at a time. ``"processes"``: a
        ``ProcessPoolExecutor`` of ``workers`` processes, rebuilt if a worker
        dies, whose workers end when the runner is killed. ``"dask"``: a Dask ``LocalCluster`` of ``workers`` processes on
        127.0.0.1, or the cluster at ``scheduler``. An ``Executor`` is used
        as it is (never rebuilt); a callable ``() -> Executor`` is called
        again whenever the executor breaks.
    workers : int or None, default None
        Processes of the pool or of the local Dask cluster (None: one per core).
    scheduler : str or None, default None
        Address of a running Dask scheduler, e.g. ``"tcp://scheduler:8786"``
        (only with ``executor="dask"``).

    Raises
    ------
    ValueError
        An unknown executor name, ``workers`` < 1, or ``scheduler`` without ``executor="dask"``.
    """
    if scheduler is not None and executor != "dask":
        raise ValueError(f"scheduler is for executor='dask' only, got executor={executor!r}, scheduler={scheduler!r}")
    if isinstance(executor, Executor):
        return ExecutorHandle(None, executor, window=2 * (getattr(executor, "_max_workers", None) or 1))
    if callable(executor):
        return ExecutorHandle(executor, window=2 * _check_workers(workers))
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, an Executor or a factory, got executor={executor!r}")
    if executor == "local":
        return ExecutorHandle(InProcessExecutor, window=1)
    if executor == "processes":
        n = _check_workers(workers)
        return ExecutorHandle(lambda: _process_pool(n), window=2 * n)
    return _dask(workers, scheduler)
