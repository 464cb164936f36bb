"""Run functions for the study tests, importable by pool and Dask workers (top-level functions).

No ``conftest.py`` here: a second module named ``conftest`` would shadow ``tests/conftest.py``
for the tests that import it by name. pytest puts this folder on ``sys.path`` (rootdir-less
``prepend`` import mode), the workers inherit it, and the ``markers`` fixture is imported from here.

``tiny_run`` trains a small network on a two-class problem drawn from the
run's ``split`` stream, with a noise "augmentation" drawn from its
``augment`` stream, and records a fingerprint of every training batch it saw
(after augmentation), so tests can compare the data streams of two runs.
Every execution leaves a marker file in ``config["markers"]`` (if given), so
tests can count how often each run was really executed.
"""
import importlib.util
import os
import time
import uuid

import numpy as np
import pytest

import numreg as nr
from numreg.study import history_record, run_key

HERE = os.path.dirname(os.path.abspath(__file__))
EXPERIMENTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "experiments")


def script(name):
    """The module of ``experiments/<name>.py``, loaded without leaving its BLAS thread variables set."""
    spec = importlib.util.spec_from_file_location(f"study_experiment_{name}", os.path.join(EXPERIMENTS, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    saved = dict(os.environ)                    # the scripts set BLAS thread variables for their workers
    try:
        spec.loader.exec_module(mod)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return mod


@pytest.fixture
def markers(tmp_path):
    """A fresh folder for the execution markers of one test (a fixture: import it into the test module)."""
    folder = tmp_path / "markers"
    folder.mkdir()
    return str(folder)


def metrics_only(record):
    """A record without its wall-clock fields (the only part allowed to differ between executions)."""
    return {k: v for k, v in record.items() if "time" not in k}


def problem(seed, n=160, d=6):
    """Two Gaussian classes in ``d`` dimensions, from ``seed`` alone."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, d)).astype(np.float32) + 1.5 * y[:, None].astype(np.float32)
    return X, y


class NoisyBatches:
    """Add N(0, std^2) noise to each training batch (drawn from ``seed``) and fingerprint what was seen."""

    def __init__(self, std, seed):
        self.std, self.rng, self.seen = std, np.random.default_rng(seed), []

    def __call__(self, data):
        data = data + self.std * self.rng.standard_normal(data.shape, dtype=np.float32)
        self.seen.append(float(data.sum(axis=1).astype(np.float64) @ np.arange(1, len(data) + 1)))
        return data


def mark(config, seeds, kind="run"):
    """Leave a marker of one execution of this run in ``config["markers"]`` (if set)."""
    folder = config.get("markers")
    if folder:
        key = run_key(config, seeds.seed)
        open(os.path.join(folder, f"{kind}-{key}-{uuid.uuid4().hex}"), "w").close()


def executions(folder, kind="run"):
    """``{key: count}`` of the markers in ``folder``."""
    out = {}
    for name in os.listdir(folder):
        if name.startswith(kind + "-"):
            key = name.split("-")[1]
            out[key] = out.get(key, 0) + 1
    return out


def tiny_run(config, seeds):
    mark(config, seeds)
    time.sleep(config.get("sleep", 0.0))
    X, y = problem(seeds.split)
    (Xtr, ytr), (Xva, yva) = nr.data.train_valid_split(X, y, 0.25, seed=seeds.split)
    model = nr.mlp(X.shape[1], (8,), 2, dropout=config.get("dropout", 0.0), seed=seeds.model)
    penalties = [nr.L2(config["l2"])] if config.get("l2") else []
    aug = NoisyBatches(0.1, seeds.augment)
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (Xtr, ytr), (Xva, yva),
               epochs=config.get("epochs", 3), batch_size=16, penalties=penalties, augment=aug,
               seed=seeds.shuffle, verbose=False)
    return {"batches": aug.seen, "weight_sum": float(sum(np.abs(p.data).sum() for p in model.parameters())),
            **history_record(h)}


def dying_run(config, seeds):
    """Kill its worker process (``os._exit``) the first time a run of seed 0 is executed; else ``tiny_run``."""
    died = os.path.join(config["markers"], f"died-{run_key(config, seeds.seed)}")
    if seeds.seed == 0 and not os.path.exists(died):
        open(died, "w").close()
        mark(config, seeds)
        os._exit(3)
    return tiny_run(config, seeds)


def raising_run(config, seeds):
    """Raise every time (a bug in the run function)."""
    mark(config, seeds)
    raise ValueError(f"boom in seed {seeds.seed}")


def flaky_run(config, seeds):
    """Raise the first time each run is executed, then behave as ``tiny_run``."""
    flag = os.path.join(config["markers"], f"raised-{run_key(config, seeds.seed)}")
    if not os.path.exists(flag):
        open(flag, "w").close()
        mark(config, seeds)
        raise RuntimeError("transient failure")
    return tiny_run(config, seeds)


def bad_return_run(config, seeds):
    return [1, 2, 3]


def nan_run(config, seeds):
    return {"loss": float("nan")}


def killer_run(config, seeds):
    """Kill its worker every time when ``config["killer"]`` is set; else ``tiny_run``."""
    if config.get("killer"):
        mark(config, seeds)
        os._exit(4)
    return tiny_run(config, seeds)


def pid_run(config, seeds):
    """Leave this worker's process id in ``config["markers"]``, then take long (to be killed meanwhile)."""
    open(os.path.join(config["markers"], f"pid-{os.getpid()}"), "w").close()
    time.sleep(30)
    return {"x": 1.0}
