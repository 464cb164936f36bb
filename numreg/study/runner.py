"""Run a study: skip what is done, run the rest on an executor, retry failures, record everything.

A run is done when ``runs/<key>.json`` holds its record. The runner reads
the folder, submits the runs that are not done (a few at a time, so a
progress bar and a broken pool stay manageable), writes each record as it
arrives, retries a run that raised or whose worker died up to ``retries``
more times, and records a run that failed every attempt, with its errors,
in ``failed/<key>.json``. Killed at any moment and started again, it loses
only the runs in flight.
"""
import os
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, wait
from dataclasses import dataclass, field

from .executors import open_executor
from .progress import Progress
from .records import check_record
from .seeds import run_seeds
from .store import RunStore, envelope, failure


def execute(run, key, config, seed):
    """Call ``run(config, run_seeds(seed))`` in a worker; never raises.

    Returns ``("ok", envelope)`` or ``("error", traceback text)``: an
    exception is turned into text in the worker, so that an exception that
    cannot be pickled still reaches the runner.
    """
    t0 = time.perf_counter()
    try:
        record = check_record(run(dict(config), run_seeds(seed)))
    except Exception:   # noqa: BLE001 -- every failure of a run is recorded, not raised
        return "error", traceback.format_exc(limit=20)
    return "ok", envelope(key, config, seed, record, attempts=0, wall_time=time.perf_counter() - t0)


@dataclass
class _Pending:
    key: str
    config: dict
    seed: int
    errors: list = field(default_factory=list)


@dataclass
class StudyResult:
    """What :func:`run_study` returns.

    Attributes
    ----------
    study : Study
    folder : str
        The study's folder.
    records : list of dict
        The finished runs' envelopes (``key``, ``config``, ``seed``,
        ``attempts``, ``errors`` of the failed attempts before the one that
        succeeded, ``wall_time``, ``record``), in the study's order.
    failed : list of dict
        The runs that failed every attempt (``key``, ``config``, ``seed``, ``errors``).
    malformed : list of (str, str)
        ``(key, reason)`` of the run files found malformed (and redone).
    executed : int
        Attempts made by this call (0 if everything was done already).
    skipped : int
        Runs found done on disk and not run again.
    """

    study: object
    folder: str
    records: list
    failed: list
    malformed: list
    executed: int
    skipped: int

    @property
    def complete(self):
        """True if every run of the study has a record."""
        return len(self.records) == len(self.study.configs) * len(self.study.seeds)


def _check_retries(retries):
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be an integer >= 0, got retries={retries!r}")
    return retries


def _scan(study, store):
    """Split the study's runs into done envelopes ``{key: env}``, pending runs and malformed reports."""
    done, pending, malformed = {}, [], []
    for key, config, seed in study.runs():
        env, reason = store.load(key)
        if env is not None:
            done[key] = env
            continue
        if reason is not None:
            malformed.append((key, reason))
        pending.append(_Pending(key, config, seed))
    return done, pending, malformed


class _Loop:
    """The submit / wait / record loop over one executor handle.

    When a process pool breaks, every run in flight fails with it, and only
    one of them killed its worker. The others are not charged an attempt:
    they are re-run one at a time ("suspects"), so that a run that kills its
    worker while alone on the pool is the one charged, and a run that always
    does so still ends, after ``1 + retries`` charged attempts, in
    ``failed/`` (it is executed at most ``2 * (1 + retries)`` times: each
    charged attempt may follow one uncharged death beside other runs).
    """

    def __init__(self, study, store, handle, retries, progress):
        self.study, self.store, self.handle = study, store, handle
        self.retries, self.progress = retries, progress
        self.done, self.failed, self.executed = {}, [], 0
        self.queue, self.suspects, self.in_flight = deque(), deque(), {}

    def run(self, pending):
        self.queue.extend(pending)
        while self.queue or self.suspects or self.in_flight:
            self._fill()
            finished, _ = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
            for fut in finished:
                self._settle(fut, *self.in_flight.pop(fut))

    def _fill(self):
        """Submit runs up to the window; a suspect only onto an idle pool, and then nothing beside it."""
        if self.suspects:
            if not self.in_flight:
                self._submit(self.suspects.popleft(), alone=True)
            return
        while self.queue and len(self.in_flight) < self.handle.window:
            self._submit(self.queue.popleft(), alone=self.handle.window == 1)

    def _submit(self, p, alone):
        """Submit run ``p``; a pool found broken at submission (a worker just died) is replaced first."""
        try:
            fut = self.handle.executor.submit(execute, self.study.run, p.key, p.config, p.seed)
        except BrokenExecutor:
            self.handle.renew()
            fut = self.handle.executor.submit(execute, self.study.run, p.key, p.config, p.seed)
        self.in_flight[fut] = (p, self.handle.generation, alone)
        self.executed += 1

    def _settle(self, fut, p, generation, alone):
        try:
            status, payload = fut.result()
        except BrokenExecutor as e:
            if generation == self.handle.generation:
                self.handle.renew()
            if not alone:                      # maybe another run's fault: again, alone, uncharged
                self.suspects.append(p)
                return
            status, payload = "error", f"the worker process died ({type(e).__name__}: {e})"
        except Exception as e:   # noqa: BLE001 -- e.g. Dask's KilledWorker, a pickling error
            status, payload = "error", f"{type(e).__name__}: {e}"
        if status == "ok":
            self._record(p, payload)
        else:
            self._charge(p, payload)

    def _record(self, p, payload):
        payload["attempts"], payload["errors"] = len(p.errors) + 1, list(p.errors)   # earlier failures kept
        self.store.save(payload)
        self.done[p.key] = payload
        self.progress.update(ok=True)

    def _charge(self, p, error):
        """Count a failed attempt of ``p``: retry it, or record it as failed after ``1 + retries``."""
        p.errors.append(error)
        if len(p.errors) <= self.retries:
            self.queue.append(p)
            return
        env = failure(p.key, p.config, p.seed, p.errors)
        self.store.save_failure(env)
        self.failed.append(env)
        self.progress.update(ok=False)


def run_study(study, out, executor="processes", workers=None, scheduler=None, retries=2, progress=True):
    """Run every configuration x seed of ``study`` not yet done in ``out``; return all the records.

    Parameters
    ----------
    study : Study
    out : str or path-like
        The study's folder (created if missing); see :mod:`numreg.study.store`.
    executor : {"local", "processes", "dask"}, Executor or callable, default "processes"
        Where the runs go (see :func:`numreg.study.open_executor`).
    workers : int or None, default None
        Processes of the pool or of the local Dask cluster (None: one per core).
    scheduler : str or None, default None
        A Dask scheduler's address (``executor="dask"`` only).
    retries : int, default 2
        Further attempts of a run that raised or whose worker died; after
        ``1 + retries`` failed attempts it is recorded in ``failed/``. When
        a process pool breaks, the runs that were in flight with the one
        that killed its worker are re-run one at a time and not charged.
    progress : bool, default True
        Show a progress bar (runs done, failed, remaining, ETA) on stderr.

    Returns
    -------
    StudyResult

    Raises
    ------
    ValueError, TypeError
        Bad arguments (named in the message).
    """
    retries = _check_retries(retries)
    store = RunStore(out)
    handle = open_executor(executor, workers, scheduler)
    clean = False
    try:
        store.write_study(study.describe())
        done, pending, malformed = _scan(study, store)
        with Progress(total=len(study.runs()), done=len(done), enabled=progress, name=study.name) as bar:
            loop = _Loop(study, store, handle, retries, bar)
            loop.run(pending)
        clean = True
    finally:
        handle.shutdown(cancel=not clean)
    done.update(loop.done)
    records = [done[k] for k, _, _ in study.runs() if k in done]
    return StudyResult(study, os.fspath(out), records, loop.failed, malformed, loop.executed,
                       len(study.runs()) - len(pending))
