"""Regularization strength sweeps: training and test error against each technique's strength.

The picture behind each notebook's curve (issue "The chapter, demonstrated",
study 3): for every technique below, a 784-256-256-10 ReLU network is trained
on ``--sizes`` Fashion-MNIST images (stratified subsets, one per seed) with
Adam (lr 1e-3, batch 64) for a fixed number of optimizer steps, long enough
to overfit the small sets, at each strength of the technique's grid:

    l2               alpha of the penalty alpha/2 ||W||^2 (Eq. 7.1 with Eq. 7.2; biases not penalized)
    l1               alpha of alpha ||W||_1 (Eq. 7.18), proximal step
    maxnorm          1/c: the radius c of ||W[:, j]|| <= c (§7.2), as 1/c so that right is stronger
    dropout          p, the drop probability of each hidden unit (§7.12)
    input_noise      sigma of Gaussian noise added to the inputs (§7.4/§7.5)
    label_smoothing  epsilon, the book's epsilon/(k-1) form (§7.5.1)
    weight_noise     eta, the standard deviation of Gaussian noise on the weights at each step (§7.5)
    augmentation     the largest random shift, as a fraction of the image side (§7.4)

Strength 0 is the same unregularized network in every row (one seed: the same
subset, the same initial weights and batch order), so each curve's left end is
the baseline. The regularization definition the curves show (the seed's first
slide): test error falls while training error rises, to a sweet spot, then
both rise (under-fitting).

    python experiments/strength_sweeps.py --data fashion-mnist              # the study (results/strength_sweeps)
    python experiments/strength_sweeps.py --quick --executor local          # seconds
"""
import math
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

GRIDS = {"l2": [0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
         "l1": [0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3],
         "maxnorm": [0.0, 0.25, 0.5, 1.0, 2.0],          # 1/c: c = inf, 4, 2, 1, 0.5
         "dropout": [0.0, 0.2, 0.4, 0.6, 0.8],
         "input_noise": [0.0, 0.1, 0.2, 0.4, 0.8],
         "label_smoothing": [0.0, 0.05, 0.1, 0.2, 0.4],
         "weight_noise": [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3],
         "augmentation": [0.0, 0.05, 0.1, 0.15, 0.2]}
METRICS = ["test_error", "train_error", "gap", "seconds"]
BATCH = 64


def run(config, seeds):
    """Train one (technique, strength, size) on one seed's subset; final training and test error."""
    (X_pool, y_pool), (Xt, yt) = st.dataset(config["data"], config["pool"], config["n_test"])
    X, y = nr.data.subsample(X_pool, y_pool, config["n_train"], seed=seeds.split)
    X, Xt = X.reshape(-1, 784), Xt.reshape(-1, 784)
    t, s = config["technique"], config["strength"]
    model = nr.mlp(784, tuple(config["hidden"]), 10, dropout=s if t == "dropout" else 0.0,
                   input_noise=s if t == "input_noise" else 0.0, seed=seeds.model)
    penalties = {"l2": [nr.L2(s)] if s else [], "l1": [nr.L1(s)] if s else []}.get(t, [])
    constraints = [nr.MaxNorm(1.0 / s)] if t == "maxnorm" and s else []
    criterion = nr.SoftmaxCrossEntropy(label_smoothing=s if t == "label_smoothing" else 0.0)
    weight_noise = nr.WeightNoise(s, seed=seeds.noise) if t == "weight_noise" and s else None
    augment = (nr.augment.RandomAffine(degrees=0, scale=None, translate=(s, s), seed=seeds.augment,
                                       image_shape=(28, 28)) if t == "augmentation" and s else None)
    epochs = math.ceil(config["steps"] * BATCH / config["n_train"])
    start = time.perf_counter()
    nr.fit(model, criterion, nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=epochs, batch_size=BATCH,
           penalties=penalties, constraints=constraints, weight_noise=weight_noise, augment=augment,
           seed=seeds.shuffle, verbose=False)
    train_error = 1.0 - float(np.mean(nr.predict(model, X).argmax(axis=1) == y))
    test_error = 1.0 - float(np.mean(nr.predict(model, Xt).argmax(axis=1) == yt))
    return {"test_error": test_error, "train_error": train_error, "gap": test_error - train_error,
            "seconds": round(time.perf_counter() - start, 2)}


def make_study(args):
    if args.quick:
        sizes, hidden, steps, n_test, pool, grids = [300], (64, 64), 150, 1000, 2000, {
            k: v[:3] for k, v in GRIDS.items()}
    else:
        sizes, hidden, steps, n_test, pool, grids = args.sizes, tuple(args.hidden), args.steps, args.n_test, \
            args.pool, GRIDS
    configs = [{"data": args.data, "pool": pool, "n_test": n_test, "hidden": list(hidden), "steps": steps,
                "n_train": n, "technique": t, "strength": s}
               for n in sizes for t, grid in grids.items() for s in grid]
    return st.Study("strength_sweeps", run, configs, seeds=args.seeds)


def report(result, args):
    """Per size and technique: the strength of the lowest mean test error and its paired effect against 0;
    the figure ``strength_sweeps.png`` in the study's folder."""
    if not result.complete:
        return
    recs = result.records
    print(f"figure: {figure(result, os.path.join(result.folder, 'strength_sweeps.png'))}")
    print("\nBest strength per technique and size (mean test error over seeds), paired against strength 0:")
    for n in sorted({e["config"]["n_train"] for e in recs}):
        for t in GRIDS:
            runs = [e for e in recs if e["config"]["n_train"] == n and e["config"]["technique"] == t]
            if not runs:
                continue
            means = {}
            for e in runs:
                means.setdefault(e["config"]["strength"], []).append(e["record"]["test_error"])
            best = min(means, key=lambda s: np.mean(means[s]))
            base = next(e["config"] for e in runs if e["config"]["strength"] == 0.0)
            if best == 0.0 or len(result.study.seeds) < 2:
                print(f"  n={n:>5} {t:>15}: best strength 0 (no gain), test error {np.mean(means[0.0]):.4f}")
                continue
            d = st.paired_difference(recs, "test_error", base, {**base, "strength": best})
            two_se = 2 * d.std / math.sqrt(d.n) if d.n > 1 else float("nan")
            verdict = "exceeds" if abs(d.mean) > two_se else "does NOT exceed"
            print(f"  n={n:>5} {t:>15}: best strength {best:g}, test error {np.mean(means[0.0]):.4f} -> "
                  f"{np.mean(means[best]):.4f} ({d.mean:+.4f}, which {verdict} 2 SE = {two_se:.4f}; "
                  f"best chosen on the test set, so optimistic)")


def figure(result, path):
    """``path``: one panel per (size, technique), test (solid) and training (dashed) error against the
    strength, mean +- standard error over seeds, the strength-0 baseline as a band (``nr.plots.effects``)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from numreg.plots import effects

    recs = result.records
    sizes = sorted({e["config"]["n_train"] for e in recs})
    seeds = sorted({e["seed"] for e in recs})
    fig, axes = plt.subplots(len(sizes), len(GRIDS), figsize=(2.9 * len(GRIDS), 2.8 * len(sizes)), squeeze=False)
    for i, n in enumerate(sizes):
        for j, t in enumerate(GRIDS):
            by = {(e["config"]["strength"], e["seed"]): e["record"] for e in recs
                  if e["config"]["n_train"] == n and e["config"]["technique"] == t}
            grid = sorted({s for s, _ in by if s > 0})
            if not grid or (0.0, seeds[0]) not in by:
                axes[i, j].set_visible(False)
                continue
            test = np.array([[by[s, k]["test_error"] for s in grid] for k in seeds])
            train = np.array([[by[s, k]["train_error"] for s in grid] for k in seeds])
            baseline = np.array([by[0.0, k]["test_error"] for k in seeds])
            best = grid[int(np.argmin(test.mean(axis=0)))]
            effects.strength_sweep(grid, test, train=train, baseline=baseline, best=best, ax=axes[i, j], label=t,
                                   xlabel="1/c" if t == "maxnorm" else "strength", title=f"{t}, n={n}")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def add_arguments(p):
    p.add_argument("--sizes", type=int, nargs="+", default=[500, 2000], help="training-set sizes "
                   "(default 500 2000)")
    p.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="hidden widths (default 256 256)")
    p.add_argument("--steps", type=int, default=2000, help="Adam steps of batch 64 per run (default 2000)")
    p.add_argument("--pool", type=int, default=60000, help="training images the subsets are drawn from")
    p.add_argument("--n-test", type=int, default=10000, help="test images (default 10000)")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, metrics=METRICS,
                    report=report, seeds=3)


if __name__ == "__main__":
    main()
