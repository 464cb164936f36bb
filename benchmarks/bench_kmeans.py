"""Seconds per k-means iteration on 60,000 x 784 float32 points with k = 10, against the GEMM floor.

One Lloyd iteration (``numreg.regularize.s7_06_semi_supervised.kmeans.lloyd_step``) is two matrix
products of size 60,000 x 784 x 10 -- the distances ``X C^T`` and the
cluster sums ``Z^T X`` -- plus O(n k) work (argmin, one-hot, counts). The
floor is the time of those two products alone. Also timed: the k-means++
seeding (k passes over the data) and a whole ``nr.KMeans(10, max_iter=20).fit``. Prints JSON.

    python benchmarks/bench_kmeans.py [--quick] [--data random|fashion-mnist]
"""
import argparse
import json
import os
import platform
import time

import numpy as np

import numreg as nr
from numreg.regularize.s7_06_semi_supervised.kmeans import kmeans_plusplus, lloyd_step


def best_of(f, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 10")
    ap.add_argument("--data", choices=("random", "fashion-mnist"), default="random",
                    help="random: uniform [0, 1) pixels; fashion-mnist: the 60,000 training images")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--max-iter", type=int, default=20, help="Lloyd iterations of the timed fit (random data never converges)")
    args = ap.parse_args()
    reps = 3 if args.quick else 10
    if args.data == "fashion-mnist":
        (X, _), _ = nr.data.load_fashion_mnist()
        X = X.reshape(len(X), -1)
    else:
        X = np.random.default_rng(0).random((60000, 784), dtype=np.float32)
    X_sq = np.einsum("ij,ij->i", X, X)
    C, _ = kmeans_plusplus(X, args.k, np.random.default_rng(0), X_sq)
    Z = np.zeros((len(X), args.k), np.float32)
    Z[np.arange(len(X)), np.arange(len(X)) % args.k] = 1
    floor = best_of(lambda: (X @ C.T, X.T @ Z), reps)
    step = best_of(lambda: lloyd_step(X, C, X_sq), reps)
    init = best_of(lambda: kmeans_plusplus(X, args.k, np.random.default_rng(1), X_sq), max(1, reps // 3))
    t = time.perf_counter()
    km = nr.KMeans(args.k, seed=0, max_iter=args.max_iter).fit(X)
    fit_s = time.perf_counter() - t
    out = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, numpy {np.__version__}, "
                   f"load average {os.getloadavg()[0]:.1f}",
        "shape": list(X.shape), "dtype": str(X.dtype), "k": args.k, "data": args.data,
        "lloyd_iteration_s": {"best": round(step[0], 4), "median": round(step[1], 4)},
        "gemm_floor_s (X C^T and Z^T X)": {"best": round(floor[0], 4), "median": round(floor[1], 4)},
        "ratio_to_floor": round(step[0] / floor[0], 2),
        "kmeans++_init_s": round(init[0], 4),
        "fit_s": round(fit_s, 3), "fit_iterations": km.n_iter_,
        "fit_s_per_iteration": round(fit_s / max(km.n_iter_, 1), 4),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
