"""Prechelt's study, small: which stopping criterion, at what cost? (§7.8; Prechelt 1998)

Many independent training runs -- several problems (sub-samples of the
embedded font digits and of Fashion-MNIST), a few architectures, several
seeds -- each trained for a fixed budget of epochs while its per-epoch
training loss ``E_tr``, validation loss ``E_va`` and test error are recorded.
Every criterion (GL1, GL2, GL3, GL5; PQ0.5, PQ1, PQ2; UP2, UP3, UP4; and
patience) is then applied to each recorded run, as Prechelt did: a
criterion's stopping epoch is ``criterion.first_stop(E_tr, E_va)`` (the same
epoch ``nr.EarlyStopping(criterion=...)`` stops ``nr.fit`` at, which the
script checks on one run), and its network is the one with the lowest
validation loss up to that epoch (``restore_best``).

Per criterion the table gives, in the form of Prechelt's table:

- training time: mean epochs until the stop, and the mean ratio to the
  fastest criterion's time on the same run ("slowness");
- generalization: the mean test error of the chosen network relative to the
  test error at the best stopping point in hindsight (the epoch of lowest
  validation loss over the whole budget), and how often it was at least as good.

Prechelt found that slower criteria buy about 4% lower test error for about
4 times the training time. The runs are independent: they are spread over
the cores with ``concurrent.futures``; :func:`run_study` takes any executor.

    python experiments/prechelt.py            # a few minutes on 2 cores
    python experiments/prechelt.py --quick    # about 30 s
    python experiments/prechelt.py --data font-digits --workers 1
"""
import argparse
import functools
import os
import sys
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass

# Small matrices: one BLAS thread per process (set before numpy loads); the runs, not the
# matrix products, share the cores. An explicit setting in the environment is kept.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402

CRITERIA = [nr.GL(1), nr.GL(2), nr.GL(3), nr.GL(5), nr.PQ(0.5), nr.PQ(1), nr.PQ(2), nr.UP(2), nr.UP(3), nr.UP(4),
            nr.Patience(10)]


@dataclass(frozen=True)
class Task:
    """One training run: a problem, an architecture, a seed, a budget."""

    data: str            # "font-digits" or "fashion-mnist"
    n_train: int         # training examples (the validation set has n_train // 2)
    hidden: tuple        # hidden layer widths
    seed: int
    epochs: int
    batch_size: int = 64
    lr: float = 3e-3

    @property
    def problem(self):
        return f"{self.data}-{self.n_train}"

    @property
    def arch(self):
        return "784-" + "-".join(map(str, self.hidden)) + "-10"


@functools.lru_cache(maxsize=None)
def _pool(data):
    """All the examples a problem draws from, loaded once per process."""
    if data == "font-digits":
        if not hasattr(nr.data, "load_font_digits"):
            raise RuntimeError("nr.data.load_font_digits is not available in this numreg; use --data fashion-mnist")
        return nr.data.load_font_digits(n_train=6000, n_test=2000, seed=0)
    if data == "fashion-mnist":
        (X, y), (Xt, yt) = nr.data.load_fashion_mnist()
        return (X, y), (Xt[:2000], yt[:2000])
    raise ValueError(f"data must be 'font-digits' or 'fashion-mnist', got data={data!r}")


def problem_data(task):
    """``(train, valid, test)`` of a task: disjoint random sub-samples, fixed by the problem (not the seed)."""
    (X, y), test = _pool(task.data)
    rng = np.random.default_rng(task.n_train)
    idx = rng.permutation(len(X))[: task.n_train + task.n_train // 2]
    tr, va = idx[: task.n_train], idx[task.n_train:]
    return (X[tr], y[tr]), (X[va], y[va]), test


class _Test(nr.Callback):
    """Record the test loss and test error (1 - accuracy) after every epoch."""

    def __init__(self, X, y):
        self.X, self.y, self.losses, self.errors = X, y, [], []

    def on_epoch_end(self, state):
        loss, acc = state.evaluate(self.X, self.y)
        self.losses.append(loss)
        self.errors.append(1.0 - acc)


def train_run(task):
    """Train one run for its whole budget; returns its per-epoch record (a plain dict, picklable)."""
    train, valid, (Xt, yt) = problem_data(task)
    model = nr.mlp(784, task.hidden, 10, dropout=0.0, seed=task.seed)
    test = _Test(Xt, yt)
    t0 = time.perf_counter()
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=task.lr), train, valid,
               epochs=task.epochs, batch_size=task.batch_size, callbacks=[test], seed=task.seed, verbose=False)
    return {"task": task, "train_loss": h.train_loss, "valid_loss": h.valid_loss, "test_loss": test.losses,
            "test_error": test.errors, "seconds": time.perf_counter() - t0}


class SerialExecutor(Executor):
    """An executor that runs each call at once, in this process (``--workers 1``, debugging)."""

    def submit(self, fn, *args, **kwargs):
        f = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:   # noqa: BLE001 -- handed to the caller through the future
            f.set_exception(e)
        return f


def run_study(tasks, executor=None, progress=True, fn=train_run):
    """Run every task's training on ``executor`` (any ``concurrent.futures.Executor``); returns the records.

    Parameters
    ----------
    tasks : sequence of Task
    executor : concurrent.futures.Executor or None, default None
        Where the runs go. None: a ``ProcessPoolExecutor`` with one worker per core.
    progress : bool, default True
        Print a line per finished run.
    fn : callable, default train_run
        ``fn(task) -> record``, run once per task (picklable for a process pool).
    """
    own = executor is None
    if own:
        executor = ProcessPoolExecutor(max_workers=os.cpu_count())
    try:
        futures = [executor.submit(fn, t) for t in tasks]
        records = []
        for i, f in enumerate(futures, 1):
            r = f.result()
            records.append(r)
            if progress:
                t = r["task"]
                print(f"  run {i:>3}/{len(tasks)}: {t.problem:<18} {t.arch:<16} seed {t.seed}  "
                      f"{len(r['valid_loss'])} epochs in {r['seconds']:.1f} s", flush=True)
        return records
    finally:
        if own:
            executor.shutdown()


def evaluate_criteria(records, criteria=CRITERIA):
    """Apply every criterion to every record.

    Returns ``{name: list of (stop epoch, test loss, test error, stopped)}``, one entry per run, and
    the per-run reference ``(test loss, test error)`` at the best stopping point in hindsight: the
    epoch of lowest validation loss over the whole budget.
    """
    out = {c.name: [] for c in criteria}
    reference = []
    for r in records:
        tr, va = np.array(r["train_loss"]), np.array(r["valid_loss"])
        tl, te = np.array(r["test_loss"]), np.array(r["test_error"])
        best = int(np.argmin(va))
        reference.append((tl[best], te[best]))
        for c in criteria:
            t = c.first_stop(tr, va)
            stopped = t is not None
            t = len(va) if t is None else t
            chosen = int(np.argmin(va[:t]))                # restore_best: theta* up to the stop
            out[c.name].append((t, tl[chosen], te[chosen], stopped))
    return out, np.array(reference)


def table(results, reference, criteria=CRITERIA):
    """Prechelt's table as text lines, and one summary dict per criterion."""
    times = {c.name: np.array([r[0] for r in results[c.name]], dtype=float) for c in criteria}
    fastest = np.min(np.stack(list(times.values())), axis=0)
    rows = []
    for c in criteria:
        res = np.array([r[1:] for r in results[c.name]], dtype=float)    # test loss, test error, stopped
        rel_loss = res[:, 0] / reference[:, 0]
        rel_err = res[:, 1] / np.maximum(reference[:, 1], 1e-12)
        rows.append(dict(name=c.name, stopped=res[:, 2].mean(), epochs=times[c.name].mean(),
                         slowness=(times[c.name] / fastest).mean(), rel_loss=rel_loss.mean(),
                         as_good=np.mean(res[:, 0] <= reference[:, 0]), err=res[:, 1].mean(), rel_err=rel_err.mean()))
    head = (f"{'criterion':<11} {'stopped':>8} {'epochs':>7} {'slowness':>9} {'test loss rel.':>15} {'as good':>8}"
            f" {'test error':>11} {'error rel.':>11}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['name']:<11} {r['stopped']:>8.0%} {r['epochs']:>7.1f} {r['slowness']:>9.2f} "
                     f"{r['rel_loss']:>15.4f} {r['as_good']:>8.0%} {r['err']:>11.4f} {r['rel_err']:>11.4f}")
    return lines, rows


def check_fit_agrees(record, criterion):
    """Re-train one run with ``EarlyStopping(criterion=...)`` and check it stops where the post-hoc analysis says."""
    task = record["task"]
    train, valid, _ = problem_data(task)
    model = nr.mlp(784, task.hidden, 10, dropout=0.0, seed=task.seed)
    # the post-hoc analysis reads the History's running train_loss, so the callback must see the same
    es = nr.EarlyStopping(criterion=criterion, train_error="running")
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=task.lr), train, valid,
               epochs=task.epochs, batch_size=task.batch_size, callbacks=[es], seed=task.seed, verbose=False)
    expect = criterion.first_stop(record["train_loss"], record["valid_loss"]) or task.epochs
    return h.epochs, expect


def make_tasks(data, quick):
    """The runs: every problem x architecture x seed."""
    sizes = [300, 1000] if not quick else [500]
    archs = [(32,), (128,), (64, 64)] if not quick else [(64,)]
    seeds = range(3) if not quick else range(3)
    epochs = 120 if not quick else 80
    return [Task(d, n, h, s, epochs) for d in data for n in sizes for h in archs for s in seeds]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=["both", "font-digits", "fashion-mnist"], default="both",
                    help="problems from the embedded font digits, Fashion-MNIST, or both (default)")
    ap.add_argument("--quick", action="store_true", help="a ~30 s version: fewer problems, one architecture")
    ap.add_argument("--workers", type=int, default=os.cpu_count(), help="processes (1: run in this process)")
    args = ap.parse_args(argv)
    if args.workers < 1:
        ap.error(f"--workers must be >= 1, got {args.workers}")

    data = ["font-digits", "fashion-mnist"] if args.data == "both" else [args.data]
    available = []
    for d in data:
        try:
            _pool(d)
            available.append(d)
        except (RuntimeError, FileNotFoundError, OSError, ValueError) as e:
            print(f"skipping {d}: {e}")
    if not available:
        sys.exit("no data set available")
    tasks = make_tasks(available, args.quick)
    print(f"{len(tasks)} runs: problems {sorted({t.problem for t in tasks})}, architectures "
          f"{sorted({t.arch for t in tasks})}, {len({t.seed for t in tasks})} seeds, {tasks[0].epochs} epochs each, "
          f"Adam lr {tasks[0].lr}, batch {tasks[0].batch_size}; {args.workers} worker(s)")
    t0 = time.perf_counter()
    if args.workers == 1:
        records = run_study(tasks, SerialExecutor())
    else:
        with ProcessPoolExecutor(max_workers=args.workers) as ex:
            records = run_study(tasks, ex)
    wall = time.perf_counter() - t0

    results, reference = evaluate_criteria(records)
    lines, rows = table(results, reference)
    print()
    print(f"Stopping criteria on {len(records)} runs (E_va: validation cross-entropy, E_tr: training loss; "
          f"strips of 5 epochs; patience = 10 epochs)")
    print("stopped: share of runs where the criterion fired within the budget (else: stop at the budget);")
    print("slowness: epochs to stop / epochs of the fastest criterion on the same run (mean);")
    print("test loss rel.: test loss of theta* (best validation loss up to the stop) / test loss at the best")
    print("  stopping point in hindsight (lowest validation loss over the whole budget), mean over runs;")
    print("as good: share of runs where it is <= that reference; test error: 1 - accuracy of theta*, and")
    print("  relative to the test error at the hindsight point")
    print()
    print("\n".join(lines))
    by_time = sorted(rows, key=lambda r: r["slowness"])
    fast, slow = by_time[:3], by_time[-3:]
    tf, ts = np.mean([r["slowness"] for r in fast]), np.mean([r["slowness"] for r in slow])
    ef, es = np.mean([r["rel_loss"] for r in fast]), np.mean([r["rel_loss"] for r in slow])
    print()
    print(f"The 3 fastest criteria ({', '.join(r['name'] for r in fast)}) vs the 3 slowest "
          f"({', '.join(r['name'] for r in slow)}): {ts / tf:.2f}x the training time for "
          f"{100 * (1 - es / ef):+.1f}% lower test loss (Prechelt: about 4x for about 4% lower test error).")
    ok = [check_fit_agrees(records[0], c) for c in (nr.GL(2), nr.UP(3))]
    print(f"check: nr.fit with EarlyStopping(criterion=GL2 / UP3) on run 1 stops after epochs "
          f"{[a for a, _ in ok]}, the post-hoc analysis says {[b for _, b in ok]}")
    print(f"wall time {wall:.0f} s for the training runs")
    return rows


if __name__ == "__main__":
    main()
