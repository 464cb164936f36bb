"""Seconds per training epoch through ``nr.fit`` against the GEMM floor. Prints JSON.

The floor is the time of the 8 matrix products of each step alone (3 in
the forward pass, 3 for dW and 2 for dx), on the same shapes and dtype, for
one epoch of 48,000 float32 samples in batches of 256. The networks are the
seed's 784-128-128-10 (ReLU, dropout 0.5, Adam) and a wide 784-1024-1024-10
with the same layers. Targets (issue 2): epoch <= 1.6 x floor for the seed
network, <= 1.3 x for the wide one.

The floor and the epoch are timed in alternation, ``--repeats`` times each,
and the minimum of each is kept, so that both see the same load on a shared
machine. Two more estimates are robust to other processes:

- ``per_step_minima``: every step is timed (a ``fit`` callback), and the
  epoch is the sum over the steps of each step's minimum over the repeats;
- ``cpu``: the CPU time of the main thread (``time.thread_time``), which
  does not count the time other processes hold the core. Printed only when
  BLAS runs one thread (``OPENBLAS_NUM_THREADS=1``): with more, the
  products' work on the other threads would be missing.

``--breakdown`` times the parts of one training step with a copy of the
step of ``nr.fit`` (batch gathering, zero_grad, each layer type's forward
and backward, the loss, the optimizer), over every step of one epoch after a
warm-up epoch, and prints the median and the minimum over the steps.

    python benchmarks/bench_train.py                      # both networks, 3 repeats
    python benchmarks/bench_train.py --quick              # seed network, 1 repeat
    python benchmarks/bench_train.py --net seed --breakdown
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_train.py   # one BLAS thread (+ CPU-time figures)
"""
import argparse
import ctypes
import json
import os
import time
from collections import defaultdict

import numpy as np

import numreg as nr

NETS = {"seed 784-128-128-10": (784, 128, 128, 10), "wide 784-1024-1024-10": (784, 1024, 1024, 10)}


def blas_threads():
    """Number of threads of the OpenBLAS that NumPy loaded, or None if it cannot be asked."""
    try:
        with open("/proc/self/maps") as f:
            path = next(line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line)
        lib = ctypes.CDLL(path)
        for name in ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_"):
            if hasattr(lib, name):
                return int(getattr(lib, name)())
    except (OSError, StopIteration):
        pass
    return None


def machine():
    """CPU model, cores, caches, numpy version, BLAS and its threads, as far as they can be found."""
    info = {"cpu": None, "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info["numpy"] = np.__version__
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # the layout of show_config is not a stable API
        info["blas"] = None
    info["blas_threads"] = blas_threads()
    info["load_average"] = os.getloadavg()
    return info


def gemm_floor(sizes, n=48000, batch=256, dtype=np.float32):
    """Wall seconds of each step of one epoch of the 8 matrix products alone, and the epoch's CPU seconds."""
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    xs = [rng.standard_normal((batch, a)).astype(dtype) for a in sizes[:-1]]
    dys = [rng.standard_normal((batch, b)).astype(dtype) for b in sizes[1:]]
    steps = np.empty(-(-n // batch))
    cpu = time.thread_time()
    t = time.perf_counter()
    for s in range(len(steps)):
        for i, W in enumerate(Ws):
            xs[i] @ W                 # forward
            xs[i].T @ dys[i]          # dW
            if i:
                dys[i] @ W.T          # dx (not for the first layer: its input is data)
        t, steps[s] = time.perf_counter(), time.perf_counter() - t
    return steps, time.thread_time() - cpu


class StepClock:
    """A ``fit`` callback: wall seconds of every step (from the previous step's end), CPU seconds of the epoch."""

    def on_train_begin(self, state):
        self.steps, self.t, self.cpu = [], time.perf_counter(), time.thread_time()

    def on_step_end(self, state):
        t = time.perf_counter()
        self.steps.append(t - self.t)
        self.t = t

    def on_epoch_end(self, state):
        self.cpu = time.thread_time() - self.cpu


def data(sizes, n):
    rng = np.random.default_rng(1)
    return rng.random((n, sizes[0]), dtype=np.float32), rng.integers(0, sizes[-1], n)


def network(sizes):
    model = nr.mlp(sizes[0], tuple(sizes[1:-1]), sizes[-1], dropout=0.5, seed=0)
    return model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters())


def fit_epoch(run, X, y, batch=256, valid=None):
    """One epoch of ``nr.fit``: its seconds (``History.epoch_time``), each step's seconds, its CPU seconds."""
    model, criterion, optimizer = run
    clock = StepClock()
    h = nr.fit(model, criterion, optimizer, (X, y), valid, epochs=1, batch_size=batch, seed=0, verbose=False,
               callbacks=[clock])
    return h.epoch_time[0], np.array(clock.steps), clock.cpu


def measure(sizes, repeats, n=48000, batch=256):
    """The epoch and the floor, timed in alternation ``repeats`` times (see the module's docstring)."""
    X, y = data(sizes, n)
    run = network(sizes)
    valid = (X[: n // 4], y[: n // 4])
    fit_epoch(run, X, y, batch)                       # warm-up: first allocations, BLAS buffers
    best = defaultdict(lambda: np.inf)
    for _ in range(repeats):                          # alternate, so that both see the same load
        steps, cpu = gemm_floor(sizes, n, batch)
        best["floor"] = min(best["floor"], steps.sum())
        best["floor_steps"] = np.minimum(best["floor_steps"], steps)
        best["floor_cpu"] = min(best["floor_cpu"], cpu)
        epoch, steps, cpu = fit_epoch(run, X, y, batch)
        best["epoch"] = min(best["epoch"], epoch)
        best["epoch_steps"] = np.minimum(best["epoch_steps"], steps)
        best["epoch_cpu"] = min(best["epoch_cpu"], cpu)
        best["epoch_valid"] = min(best["epoch_valid"], fit_epoch(run, X, y, batch, valid)[0])
    floor, epoch, k = best["floor"], best["epoch"], len(best["floor_steps"])
    out = {"gemm_floor_s": round(floor, 4), "epoch_s": round(epoch, 4), "ratio": round(epoch / floor, 3),
           "epoch_with_validation_s": round(best["epoch_valid"], 4),
           "ms_per_step": {"gemm_floor": round(1e3 * floor / k, 3), "epoch": round(1e3 * epoch / k, 3)}}
    fs, es = best["floor_steps"].sum(), best["epoch_steps"].sum()
    out["per_step_minima"] = {"gemm_floor_s": round(fs, 4), "epoch_s": round(es, 4), "ratio": round(es / fs, 3)}
    if blas_threads() == 1 or os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        fc, ec = best["floor_cpu"], best["epoch_cpu"]
        out["cpu"] = {"gemm_floor_s": round(fc, 4), "epoch_s": round(ec, 4), "ratio": round(ec / fc, 3)}
    return out


def breakdown(sizes, n=48000, batch=256):
    """Milliseconds per step of each part of the training step: median and minimum over one epoch.

    A copy of the step of ``nr.fit`` (classification, no penalties or
    callbacks), with a clock between the parts. Each layer type's forward
    and backward are summed over the network's layers of that type.
    """
    X, y = data(sizes, n)
    model, criterion, optimizer = network(sizes)
    clock = time.perf_counter
    first = model._first_param_layer()
    times = defaultdict(list)
    for epoch in range(2):                            # epoch 0 warms up; epoch 1 is recorded
        order = np.random.default_rng(epoch).permutation(n)
        model.train()
        for start in range(0, n - batch + 1, batch):
            step = defaultdict(float)
            t0 = clock()
            idx = order[start:start + batch]
            data_, target = X[idx], y[idx]
            t1 = clock()
            step["batch gather X[idx], y[idx]"] += t1 - t0
            optimizer.zero_grad()
            t0, t1 = t1, clock()
            step["optimizer.zero_grad"] += t1 - t0
            h = data_
            for layer in model.layers:
                h = layer.forward(h)
                t0, t1 = t1, clock()
                step[f"{type(layer).__name__} forward"] += t1 - t0
            loss = criterion.forward(h, target)
            t0, t1 = t1, clock()
            step["loss forward"] += t1 - t0
            dy = criterion.backward()
            t0, t1 = t1, clock()
            step["loss backward"] += t1 - t0
            for i in range(len(model.layers) - 1, first - 1, -1):
                layer = model.layers[i]
                if i == first:
                    layer.backward_params(dy)
                else:
                    dy = layer.backward(dy)
                t0, t1 = t1, clock()
                step[f"{type(layer).__name__} backward"] += t1 - t0
            optimizer.step()
            t0, t1 = t1, clock()
            step[f"{type(optimizer).__name__} step"] += t1 - t0
            int(np.count_nonzero(h.argmax(axis=1) == target)), float(loss)
            t0, t1 = t1, clock()
            step["fit bookkeeping (accuracy)"] += t1 - t0
            step["step total"] = sum(step.values())
            if epoch:
                for k, v in step.items():
                    times[k].append(v)
    out = {k: {"median_ms": round(1e3 * float(np.median(v)), 4), "min_ms": round(1e3 * float(np.min(v)), 4)}
           for k, v in times.items()}
    floor = gemm_floor(sizes, n, batch)[0]
    out["gemm floor (the 8 products alone)"] = {"median_ms": round(1e3 * float(np.median(floor)), 4),
                                                "min_ms": round(1e3 * float(np.min(floor)), 4)}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one repeat, one network (seed unless --net wide)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of each, minimum kept (default 3)")
    ap.add_argument("--breakdown", action="store_true", help="also time the parts of one step")
    ap.add_argument("--net", choices=["seed", "wide", "both"], default="both", help="which network (default both)")
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    names = [k for k in NETS if args.net in ("both", k.split()[0])]
    if args.quick:
        names = names[:1]
    out = {"machine": machine(), "results": {}}
    for name in names:
        out["results"][name] = measure(NETS[name], repeats)
        if args.breakdown:
            out["results"][name]["breakdown_ms_per_step"] = breakdown(NETS[name])
    out["load_average_after"] = os.getloadavg()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
