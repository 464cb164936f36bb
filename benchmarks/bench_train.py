"""Seconds per training epoch through ``nr.fit`` against the GEMM floor and PyTorch. Prints JSON.

The floor is the time of the 8 matrix products of each step alone (3 in
the forward pass, 3 for dW and 2 for dx), on the same shapes and dtype, for
one epoch of 48,000 float32 samples in batches of 256. The networks are the
seed's 784-128-128-10 (ReLU, dropout 0.5, Adam) and a wide 784-1024-1024-10
with the same layers. PyTorch (CPU, if it can be imported; ``pip install
numreg[bench]``) trains the same network, same batches, same thread count,
in the same process, in alternation with numreg and the floor.

Targets (issue 12): seed epoch <= 1.8 x floor and <= 0.5 x PyTorch's; wide
<= 1.5 x floor and <= 0.6 x PyTorch's; with ``--load`` (one competing
CPU-bound process, a busy loop this script starts and stops) the seed epoch
<= 1.5 x its quiet time and the wide one <= 2 x; training holds at most one
extra copy of the training set (``memory``: the peak resident memory during
``fit`` above the resident memory before it, against the data's size).

The floor, numreg's epoch and PyTorch's are timed in alternation,
``--repeats`` times each, and the minimum of each is kept, so that all
three see the same load on a shared machine. Two more estimates:

- ``per_step_minima``: every step is timed (a ``fit`` callback), and the
  epoch is the sum over the steps of each step's minimum over the repeats;
- ``cpu``: the CPU time of the main thread (``time.thread_time``), which
  does not count the time other processes hold the core; printed only when
  one thread computes (with more, the other threads' work is missing).
  PyTorch's likewise (``torch.cpu_epoch_s``, ``numreg_over_torch_cpu``).

``threads`` is what numreg's thread policy chose (``NUMREG_THREADS``, else
the free cores; see ``numreg.core.kernels.apply_thread_policy``); PyTorch
gets the same count (``torch.set_num_threads``) and so does the floor.
Every figure is printed with the 1-minute load average when it was taken.

``--breakdown`` times the parts of one training step with a copy of the
step of ``nr.fit`` (batch gathering, zero_grad, each layer type's forward
and backward, the loss, the optimizer), over every step of one epoch after a
warm-up epoch, and prints the median and the minimum over the steps.

    python benchmarks/bench_train.py                      # both networks, 3 repeats
    python benchmarks/bench_train.py --quick              # seed network, 1 repeat
    python benchmarks/bench_train.py --net seed --breakdown
    python benchmarks/bench_train.py --load               # + the same under one competing process
    NUMREG_THREADS=1 python benchmarks/bench_train.py     # one thread everywhere (+ CPU-time figures)
"""
import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict

import numpy as np

import numreg as nr
from numreg.core import kernels

NETS = {"seed 784-128-128-10": (784, 128, 128, 10), "wide 784-1024-1024-10": (784, 1024, 1024, 10)}


def blas_threads():
    """Number of threads of the BLAS that NumPy loaded (threadpoolctl), or None."""
    return kernels.blas_threads()


def load():
    """The 1-minute load average, rounded."""
    return round(os.getloadavg()[0], 2)


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
    try:
        from threadpoolctl import threadpool_info
        info["blas_kernels"] = sorted({str(i.get("architecture")) for i in threadpool_info() if i.get("user_api") == "blas"})
    except ImportError:
        info["blas_kernels"] = None
    info["env"] = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_", "NUMREG_", "MKL_"))}
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


def torch_available():
    """``(torch module, None)`` or ``(None, the reason it cannot be used)``."""
    try:
        import torch
    except Exception as e:  # ImportError, or a broken install (missing shared libraries)
        return None, f"import torch failed: {type(e).__name__}: {e} (pip install numreg[bench])"
    return torch, None


class TorchRun:
    """The same network, loss, optimizer and batches in PyTorch (CPU), the seed notebook's loop."""

    def __init__(self, torch, sizes, threads):
        self.torch = torch
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        nn = torch.nn
        layers = []
        for a, b in zip(sizes[:-2], sizes[1:-1]):
            layers += [nn.Linear(a, b), nn.ReLU(), nn.Dropout(0.5)]
        layers.append(nn.Linear(sizes[-2], sizes[-1]))
        self.model = nn.Sequential(*layers)
        self.optimizer = torch.optim.Adam(self.model.parameters())
        self.criterion = nn.CrossEntropyLoss()

    def epoch(self, X, y, batch=256, seed=0):
        """Wall and main-thread CPU seconds of one epoch (``X``, ``y`` torch tensors), as ``fit``:
        shuffled batches, the loss read every step."""
        torch, model, optimizer, criterion = self.torch, self.model, self.optimizer, self.criterion
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(y)))
        t, cpu = time.perf_counter(), time.thread_time()
        model.train()
        total = 0.0
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            data, target = X[idx], y[idx]
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output, target)
            loss.backward()
            optimizer.step()
            total += loss.item()
        return time.perf_counter() - t, time.thread_time() - cpu


def measure(sizes, repeats, n=48000, batch=256, with_torch=True):
    """The floor, numreg's epoch and PyTorch's, timed in alternation ``repeats`` times (see the docstring)."""
    X, y = data(sizes, n)
    run = network(sizes)
    fit_epoch(run, X, y, batch)                       # warm-up (and the thread policy's first look)
    threads = kernels.apply_thread_policy()["threads"]
    torch, why = torch_available() if with_torch else (None, "not requested (--no-torch)")
    trun = None
    if torch is not None:
        trun = TorchRun(torch, sizes, threads)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        trun.epoch(Xt, yt, batch)                     # warm-up
    best = defaultdict(lambda: np.inf)
    loads = []
    for r in range(repeats):                          # alternate, so that all see the same load
        loads.append(load())
        threads = kernels.apply_thread_policy()["threads"]   # the floor and PyTorch get what numreg gets
        if trun is not None:
            torch.set_num_threads(threads)
        steps, cpu = gemm_floor(sizes, n, batch)
        best["floor"] = min(best["floor"], steps.sum())
        best["floor_steps"] = np.minimum(best["floor_steps"], steps)
        best["floor_cpu"] = min(best["floor_cpu"], cpu)
        epoch, steps, cpu = fit_epoch(run, X, y, batch)
        best["epoch"] = min(best["epoch"], epoch)
        best["epoch_steps"] = np.minimum(best["epoch_steps"], steps)
        best["epoch_cpu"] = min(best["epoch_cpu"], cpu)
        if trun is not None:
            wall, cpu = trun.epoch(Xt, yt, batch, seed=r)
            best["torch"] = min(best["torch"], wall)
            best["torch_cpu"] = min(best["torch_cpu"], cpu)
    loads.append(load())
    floor, epoch, k = best["floor"], best["epoch"], len(best["floor_steps"])
    out = {"threads": threads, "load_average_during": loads,
           "gemm_floor_s": round(floor, 4), "epoch_s": round(epoch, 4), "ratio": round(epoch / floor, 3),
           "ms_per_step": {"gemm_floor": round(1e3 * floor / k, 3), "epoch": round(1e3 * epoch / k, 3)}}
    fs, es = best["floor_steps"].sum(), best["epoch_steps"].sum()
    out["per_step_minima"] = {"gemm_floor_s": round(fs, 4), "epoch_s": round(es, 4), "ratio": round(es / fs, 3)}
    if threads == 1:
        fc, ec = best["floor_cpu"], best["epoch_cpu"]
        out["cpu"] = {"gemm_floor_s": round(fc, 4), "epoch_s": round(ec, 4), "ratio": round(ec / fc, 3)}
    if trun is not None:
        out["torch"] = {"version": torch.__version__, "threads": torch.get_num_threads(),
                        "epoch_s": round(best["torch"], 4), "ms_per_step": round(1e3 * best["torch"] / k, 3),
                        "numreg_over_torch": round(epoch / best["torch"], 3)}
        if threads == 1:                              # one thread each: the main threads' CPU time is all
            out["torch"]["cpu_epoch_s"] = round(best["torch_cpu"], 4)
            out["torch"]["numreg_over_torch_cpu"] = round(best["epoch_cpu"] / best["torch_cpu"], 3)
    else:
        out["torch"] = None
        out["torch_reason"] = why
    return out


def _rss_kib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def memory(sizes, n=48000, batch=256):
    """Peak resident memory during ``fit`` above the resident memory before it, against the data's size.

    The peak (``VmHWM``) is reset just before ``fit`` by writing 5 to
    ``/proc/self/clear_refs`` (Linux), so earlier allocations do not count.
    Two epochs with validation on a quarter of the data.
    """
    X, y = data(sizes, n)
    model, criterion, optimizer = network(sizes)
    data_mib = (X.nbytes + y.nbytes) / 2**20
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError as e:
        return {"error": f"cannot reset the peak resident memory: {e}"}
    before = _rss_kib("VmRSS")
    nr.fit(model, criterion, optimizer, (X, y), (X[: n // 4], y[: n // 4]), epochs=2, batch_size=batch,
           seed=0, verbose=False)
    peak = _rss_kib("VmHWM")
    extra = (peak - before) / 1024
    return {"train_data_mib": round(data_mib, 1), "rss_before_fit_mib": round(before / 1024, 1),
            "peak_rss_during_fit_mib": round(peak / 1024, 1), "extra_mib": round(extra, 1),
            "extra_over_data": round(extra / data_mib, 3)}


BUSY = "import time\nwhile True:\n    pass\n"


def under_load(sizes, repeats, n=48000, batch=256):
    """The epoch on a quiet machine, then with one competing CPU-bound process (started and stopped here).

    Both are minima over ``repeats`` epochs, after a warm-up epoch under the
    same conditions (which also lets the thread policy see the load).
    """
    X, y = data(sizes, n)
    run = network(sizes)
    out = {}
    for name in ("quiet", "loaded"):
        busy = subprocess.Popen([sys.executable, "-c", BUSY]) if name == "loaded" else None
        try:
            if busy is not None:
                time.sleep(1.0)
            fit_epoch(run, X, y, batch)               # warm-up; the policy measures the load
            loads = [load()]
            choice = kernels.apply_thread_policy()
            times = []
            for _ in range(repeats):
                times.append(fit_epoch(run, X, y, batch)[0])
                loads.append(load())
            out[name] = {"epoch_s": round(min(times), 4), "epochs_s": [round(t, 4) for t in times],
                         "threads": choice["threads"], "others_load_seen": round(choice["load"] or 0.0, 2),
                         "load_average": loads}
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()
    out["loaded_over_quiet"] = round(out["loaded"]["epoch_s"] / out["quiet"]["epoch_s"], 3)
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
    ap.add_argument("--load", action="store_true",
                    help="also time epochs with one competing CPU-bound process (a busy loop started here)")
    ap.add_argument("--samples", type=int, default=48000, help="training samples per epoch (default 48000)")
    ap.add_argument("--no-torch", action="store_true", help="do not time PyTorch")
    ap.add_argument("--no-memory", action="store_true", help="do not measure the peak resident memory")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error(f"--repeats must be >= 1, got --repeats={args.repeats}")
    if args.samples < 256:
        ap.error(f"--samples must be >= 256 (one batch), got --samples={args.samples}")
    repeats = 1 if args.quick else args.repeats
    names = [k for k in NETS if args.net in ("both", k.split()[0])]
    if args.quick:
        names = names[:1]
    out = {"machine": machine(), "results": {}}
    if not args.no_memory:                            # first, before PyTorch's allocations
        out["memory"] = memory(NETS[names[0]], args.samples)
        out["memory"]["network"] = names[0]
    for name in names:
        out["results"][name] = measure(NETS[name], repeats, args.samples, with_torch=not args.no_torch)
        if args.breakdown:
            out["results"][name]["breakdown_ms_per_step"] = breakdown(NETS[name], args.samples)
        if args.load:
            out["results"][name]["under_load"] = under_load(NETS[name], repeats, args.samples)
    out["load_average_after"] = os.getloadavg()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
