"""Seconds per CD-1 epoch of ``nr.RBM`` against its GEMM floor, and DBN pretraining time. Prints JSON.

1. One CD-1 epoch of a 784-500 RBM on 60,000 float32 images (binary,
   13% ones, MNIST's density) in batches of 100, through ``RBM.fit``. The
   floor is the time of the four matrix products of each step alone, on
   the same shapes and dtype: ``V0 W`` (up), ``H0 W^T`` (down), ``V1 W``
   (up again) and ``[V0; V1]^T [P0; -P1]`` (both phases of ``dW`` in one
   product). Target: epoch <= 1.5 x floor. The floor and the epoch are timed
   in alternation ``--repeats`` times, and the minimum of each is kept, so
   both see the same load on a shared machine; with one BLAS thread the
   CPU time of the main thread is printed too (it does not count the time
   other processes hold the core).
2. Greedy pretraining of a 784-500-500-2000 DBN (Hinton, Osindero & Teh
   2006's shape) on the same images: ``--pretrain-epochs`` epochs a layer
   (default 1) are measured and the time of 10 epochs a layer is
   extrapolated from them (``extrapolated: true`` in the JSON) unless 10 are run.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_rbm.py
    python benchmarks/bench_rbm.py --repeats 1 --pretrain-epochs 10     # the full pretraining, measured
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_train import machine          # noqa: E402  (the benchmarks' shared machine description)

import numreg as nr                      # noqa: E402


def images(n, d=784, seed=0):
    return (np.random.default_rng(seed).random((n, d), dtype=np.float32) < 0.13).astype(np.float32)


def floor(n, d, m, batch, dtype=np.float32):
    """Wall and CPU seconds of the four products of every CD-1 step of one epoch."""
    g = np.random.default_rng(0)
    W = (0.01 * g.standard_normal((d, m))).astype(dtype)
    V0, V1 = g.random((batch, d), dtype=dtype), g.random((batch, d), dtype=dtype)
    H0 = g.random((batch, m), dtype=dtype)
    VV, PP = g.random((2 * batch, d), dtype=dtype), g.random((2 * batch, m), dtype=dtype)
    cpu, t = time.thread_time(), time.perf_counter()
    for _ in range(-(-n // batch)):
        V0 @ W
        H0 @ W.T
        V1 @ W
        VV.T @ PP
    return time.perf_counter() - t, time.thread_time() - cpu


def epoch(X, m, batch):
    rbm = nr.RBM(X.shape[1], m, seed=0)
    cpu, t = time.thread_time(), time.perf_counter()
    rbm.fit(X, epochs=1, batch_size=batch, lr=0.05, seed=0, monitor_size=1000)
    return time.perf_counter() - t, time.thread_time() - cpu


def pretrain(X, sizes, epochs, batch):
    """Seconds per layer of ``epochs`` epochs of greedy pretraining."""
    dbn = nr.DBN(sizes, seed=0)
    H, out = X, []
    for rbm in dbn.rbms:
        t = time.perf_counter()
        rbm.fit(H, epochs=epochs, batch_size=batch, lr=0.05, momentum=0.5, seed=0)
        H = rbm.transform(H)
        out.append(time.perf_counter() - t)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=60000, help="images (default 60000)")
    ap.add_argument("--repeats", type=int, default=3, help="alternations of floor and epoch (default 3)")
    ap.add_argument("--pretrain-epochs", type=int, default=1, help="epochs a layer actually run (default 1)")
    ap.add_argument("--no-pretrain", action="store_true")
    args = ap.parse_args(argv)
    X = images(args.n)
    one_thread = os.environ.get("OPENBLAS_NUM_THREADS") == "1"
    fl, ep = [], []
    for _ in range(args.repeats):
        fl.append(floor(args.n, 784, 500, 100))
        ep.append(epoch(X, 500, 100))
    f, e = min(w for w, _ in fl), min(w for w, _ in ep)
    result = {"machine": machine(),
              "cd1_epoch_784_500": {"n": args.n, "batch": 100, "repeats": args.repeats, "epoch_seconds": round(e, 3),
                                    "floor_seconds": round(f, 3), "ratio": round(e / f, 3), "target_ratio": 1.5}}
    if one_thread:
        fc, ec = min(c for _, c in fl), min(c for _, c in ep)
        result["cd1_epoch_784_500"].update(cpu_epoch_seconds=round(ec, 3), cpu_floor_seconds=round(fc, 3),
                                           cpu_ratio=round(ec / fc, 3))
    if not args.no_pretrain:
        sizes = [784, 500, 500, 2000]
        per_layer = pretrain(X, sizes, args.pretrain_epochs, 100)
        scale = 10 / args.pretrain_epochs
        result["pretrain_784_500_500_2000"] = {
            "n": args.n, "epochs_run_per_layer": args.pretrain_epochs,
            "seconds_per_layer_run": [round(s, 2) for s in per_layer],
            "seconds_10_epochs_per_layer": round(sum(per_layer) * scale, 1),
            "extrapolated": args.pretrain_epochs != 10}
    result["machine"]["load_average_end"] = os.getloadavg()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
