"""Seconds per training epoch through ``nr.fit`` against the GEMM floor.

The floor is the time of the 8 matrix products of each step alone (3 in
the forward pass, 3 for dW and 2 for dx), on the same shapes and dtype, for
one epoch of 48,000 samples in batches of 256. Prints JSON.

    python benchmarks/bench_train.py [--quick]
"""
import argparse
import json
import os
import platform
import time

import numpy as np

import numreg as nr


def gemm_floor(sizes, n=48000, batch=256, repeats=3, dtype=np.float32):
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    xs = [rng.standard_normal((batch, a)).astype(dtype) for a in sizes[:-1]]
    dys = [rng.standard_normal((batch, b)).astype(dtype) for b in sizes[1:]]
    steps = -(-n // batch)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(steps):
            for i, W in enumerate(Ws):
                xs[i] @ W                 # forward
                xs[i].T @ dys[i]          # dW
                if i:
                    dys[i] @ W.T          # dx (not for the first layer: its input is data)
        best = min(best, time.perf_counter() - t)
    return best


def epoch_time(sizes, n=48000, batch=256, repeats=3, valid=False):
    rng = np.random.default_rng(1)
    X = rng.random((n, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], n)
    model = nr.mlp(sizes[0], tuple(sizes[1:-1]), sizes[-1], dropout=0.5, seed=0)
    opt = nr.Adam(model.parameters())
    v = (X[: n // 4], y[: n // 4]) if valid else None
    times = []
    for _ in range(repeats):
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), opt, (X, y), v, epochs=1, batch_size=batch, seed=0,
                   verbose=False)
        times.append(h.epoch_time[0])
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="one repeat, seed network only")
    args = ap.parse_args()
    reps = 1 if args.quick else 3
    nets = {"seed 784-128-128-10": [784, 128, 128, 10]}
    if not args.quick:
        nets["wide 784-1024-1024-10"] = [784, 1024, 1024, 10]
    out = {"machine": f"{platform.machine()} {os.cpu_count()} cores, numpy {np.__version__}", "results": {}}
    for name, sizes in nets.items():
        floor = gemm_floor(sizes, repeats=reps)
        ep = epoch_time(sizes, repeats=reps)
        epv = epoch_time(sizes, repeats=reps, valid=True)
        out["results"][name] = {"gemm_floor_s": round(floor, 4), "epoch_s": round(ep, 4),
                                "ratio": round(ep / floor, 3), "epoch_with_validation_s": round(epv, 4)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
