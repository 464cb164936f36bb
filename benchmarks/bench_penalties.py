"""Cost of the norm penalties and constraints in an epoch of the seed network. Prints JSON.

An epoch of ``nr.fit`` on the seed network (784-128-128-10, ReLU, dropout 0.5,
Adam, batches of 256, 48,000 random samples) without regularization, with
``L2``, with ``MaxNorm``, with both, and with ``L1`` (prox), the epochs
interleaved and the minimum of the repeats kept. The goal (issue 3): with
L2 or MaxNorm an epoch costs at most 10 % more than without.

Because wall-clock epochs on a shared machine are noisy, the overhead is
also measured directly: the time of the penalty/constraint calls of one
step (``value`` + ``add_grad`` + ``prox`` / ``project`` on the seed
network's parameters) divided by the time of one unregularized training
step (forward, loss, backward, Adam step on a batch), both the best of
several tight loops ("direct_overhead"), and each epoch's process CPU
time is reported beside its wall-clock time ("epoch_cpu_ratio").

    python benchmarks/bench_penalties.py [--quick]
"""
import argparse
import json
import os
import platform
import time

import numpy as np

import numreg as nr

CONFIGS = {
    "none": lambda: ((), ()),
    "L2": lambda: ((nr.L2(1e-4),), ()),
    "MaxNorm": lambda: ((), (nr.MaxNorm(3.0),)),
    "L2+MaxNorm": lambda: ((nr.L2(1e-4),), (nr.MaxNorm(3.0),)),
    "L1-prox": lambda: ((nr.L1(1e-5),), ()),
}


def epoch_times(n, batch, repeats):
    rng = np.random.default_rng(1)
    X = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    runs = {}
    for name, make in CONFIGS.items():
        model = nr.mlp(seed=0)
        pens, cons = make()
        runs[name] = (model, nr.Adam(model.parameters()), pens, cons)
    times = {name: [] for name in CONFIGS}
    cpu = {name: [] for name in CONFIGS}
    for r in range(repeats + 1):                     # the first round warms up caches and is not timed
        for name, (model, opt, pens, cons) in runs.items():
            c = time.process_time()
            h = nr.fit(model, nr.SoftmaxCrossEntropy(), opt, (X, y), epochs=1, batch_size=batch, penalties=pens,
                       constraints=cons, seed=0, verbose=False)
            if r:
                cpu[name].append(time.process_time() - c)
                times[name].append(h.epoch_time[0])
    return {name: min(t) for name, t in times.items()}, {name: min(t) for name, t in cpu.items()}


def per_step_cost(name, repeats=2000):
    """Seconds per step of the calls fit makes for this configuration, on the seed network's parameters."""
    model = nr.mlp(seed=0)
    params = model.parameters()
    for p in params:
        p.data *= 50                                  # so that MaxNorm really rescales columns
    pens, cons = CONFIGS[name]()
    best = np.inf
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(repeats):
            for pen in pens:
                pen.value(params)
                pen.add_grad(params)
            for pen in pens:
                if hasattr(pen, "prox"):
                    pen.prox(params, 1e-12)
            for con in cons:
                con.project(params)
        best = min(best, (time.perf_counter() - t) / repeats)
    return best


def step_cost(batch, repeats=50):
    """Seconds of one unregularized training step of the seed network (fit's inner loop), best of 5 blocks."""
    rng = np.random.default_rng(2)
    x = rng.random((batch, 784), dtype=np.float32)
    t = rng.integers(0, 10, batch)
    model = nr.mlp(seed=0)
    opt = nr.Adam(model.parameters())
    crit = nr.SoftmaxCrossEntropy()
    best = np.inf
    for _ in range(5):
        c = time.perf_counter()
        for _ in range(repeats):
            opt.zero_grad()
            crit(model(x), t)
            model.backward(crit.backward(), input_grad=False)
            opt.step()
        best = min(best, (time.perf_counter() - c) / repeats)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="12,000 samples, 2 repeats")
    args = ap.parse_args()
    n, batch = (12000, 256) if args.quick else (48000, 256)
    reps = 2 if args.quick else 5
    epochs, cpu = epoch_times(n, batch, reps)
    steps = -(-n // batch)
    base = epochs["none"]
    step = step_cost(batch)
    out = {"machine": f"{platform.machine()} {os.cpu_count()} cores, numpy {np.__version__}, "
                      f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else platform.machine(),
           "samples": n, "batch_size": batch, "repeats": reps, "step_us": round(1e6 * step, 1), "results": {}}
    for name, t in epochs.items():
        r = {"epoch_s": round(t, 4), "epoch_ratio": round(t / base, 4),
             "epoch_cpu_s": round(cpu[name], 4), "epoch_cpu_ratio": round(cpu[name] / cpu["none"], 4)}
        if name != "none":
            c = per_step_cost(name)
            r["per_step_us"] = round(1e6 * c, 1)
            r["direct_overhead"] = round(c / step, 4)
        out["results"][name] = r
    out["goal"] = ("L2 and MaxNorm: epoch_ratio <= 1.10; on a loaded machine read epoch_cpu_ratio "
                   "(process CPU time) and direct_overhead, which contention does not inflate")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
