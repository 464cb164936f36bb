"""Parameter sharing (§7.9): a small LeNet against MLPs, test error against the training-set size.

"The most popular and extensive use of parameter sharing occurs in
convolutional neural networks": one 5x5 kernel is applied at every position
of the image, which encodes the prior that a feature is worth detecting
wherever it appears. The book's point is that this is a very strong prior,
worth most when labels are few. Three networks, no dropout, no penalty, the
same training (Adam, lr 1e-3, batches of 64, the same number of steps):

    lenet       Conv2d(1,6,5) ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2)
                Flatten Linear(256,120) ReLU Linear(120,10)          34,622 parameters
    mlp         784-44-10, ReLU: about as many parameters             34,990 parameters
    mlp_seed    784-128-128-10, ReLU: the seed network without dropout, 3.4 x more  118,282 parameters

Each run draws a stratified subset of ``n_train`` images from a fixed pool
(the first ``--pool`` training images of the data set) with the run's
``split`` seed, so the three networks of one seed see the same images in the
same batch order; the seed also changes the initial weights. Training lasts
``max(--min-epochs, ceil(--steps * 64 / n_train))`` epochs (about
``--steps`` steps for the small sets). Recorded: the test error on
``--n-test`` test images, the final training error, the parameter count and
the wall seconds. ``report`` prints LeNet minus each MLP, paired on seeds.

    python experiments/lenet_vs_mlp.py                          # embedded font digits
    python experiments/lenet_vs_mlp.py --data fashion-mnist     # needs the files (see README)
    python experiments/lenet_vs_mlp.py --quick                  # about a minute
    python experiments/lenet_vs_mlp.py --sizes 100 1000 --seeds 5 --executor dask --workers 2
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

METRICS = ["test_error", "train_error", "params", "seconds"]
MODELS = ("lenet", "mlp", "mlp_seed")
BATCH = 64


def lenet(seed=None):
    """LeNet-like network for (n, 1, 28, 28) images: two 5x5 convolutions (6 and 16 maps), each with ReLU and 2x2
    max-pooling, then 256-120-10 fully connected; 34,622 parameters.

    Parameters
    ----------
    seed : int or None, default None
        Seed of the initial weights (PyTorch's default initialization).

    Returns
    -------
    Sequential
    """
    return nr.Sequential(nr.Conv2d(1, 6, 5), nr.ReLU(), nr.MaxPool2d(2),            # 28 -> 24 -> 12
                         nr.Conv2d(6, 16, 5), nr.ReLU(), nr.MaxPool2d(2),           # 12 -> 8 -> 4
                         nr.Flatten(), nr.Linear(16 * 4 * 4, 120), nr.ReLU(), nr.Linear(120, 10), seed=seed)


def build(name, seed=None):
    """The network ``name`` (one of ``MODELS``) and whether it takes images ``(n, 1, 28, 28)`` (else ``(n, 784)``)."""
    if name == "lenet":
        return lenet(seed), True
    if name == "mlp":
        return nr.mlp(784, (44,), 10, dropout=0.0, seed=seed), False
    if name == "mlp_seed":
        return nr.mlp(784, (128, 128), 10, dropout=0.0, seed=seed), False
    raise ValueError(f"model must be one of {MODELS}, got model={name!r}")


def n_params(model):
    """Number of trainable parameters (weights and biases) of ``model``."""
    return int(sum(p.data.size for p in model.parameters()))


def epochs_for(n_train, steps, min_epochs):
    """``max(min_epochs, ceil(steps * BATCH / n_train))``: about ``steps`` steps on small sets, at least ``min_epochs``."""
    return max(min_epochs, math.ceil(steps * BATCH / n_train))


def run(config, seeds):
    """Train one network on one subset; its test and training error, parameter count and wall seconds."""
    (X_pool, y_pool), (Xt, yt) = st.dataset(config["data"], config["pool"], config["n_test"])
    X, y = nr.data.subsample(X_pool, y_pool, config["n_train"], seed=seeds.split)
    model, images = build(config["model"], seeds.model)
    shape = (-1, 1, 28, 28) if images else (-1, 28 * 28)
    X, Xt = X.reshape(shape), Xt.reshape(shape)
    crit = nr.SoftmaxCrossEntropy()
    t = time.perf_counter()
    nr.fit(model, crit, nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=config["epochs"], batch_size=BATCH,
           seed=seeds.shuffle, verbose=False)
    seconds = time.perf_counter() - t
    return {"test_error": 1.0 - float(np.mean(nr.predict(model, Xt).argmax(axis=1) == yt)),
            "train_error": 1.0 - float(np.mean(nr.predict(model, X).argmax(axis=1) == y)),
            "params": n_params(model), "seconds": round(seconds, 2)}


def make_study(args):
    sizes, steps, min_epochs, n_test, pool = ((100, 1000), 150, 2, 1000, 2000) if args.quick else \
        (tuple(args.sizes), args.steps, args.min_epochs, args.n_test, args.pool)
    if max(sizes) > pool:
        raise SystemExit(f"--sizes must not exceed --pool, got max(--sizes)={max(sizes)} > --pool {pool}")
    configs = [{"n_train": n, "model": m, "epochs": epochs_for(n, steps, min_epochs), "data": args.data,
                "pool": pool, "n_test": n_test} for n in sizes for m in MODELS]
    return st.Study("lenet_vs_mlp", run, configs, seeds=args.seeds)


def report(result, args):
    if len(result.study.seeds) >= 2 and result.complete:
        print("\nLeNet minus each MLP, same subset, batch order and seed (paired; negative = LeNet better):")
        diffs = []
        for base in ("mlp", "mlp_seed"):
            for d in st.paired_differences(result.records, "test_error", "model", base):
                if d.treatment["model"] == "lenet":
                    diffs.append(d)
        print("\n".join(st.format_differences(diffs)))
    print("(test_error on the held-out test images; params: weights and biases; seconds: training wall time, "
          "one BLAS thread, on a shared machine)")


def add_arguments(p):
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000],
                   help="training-set sizes (default 100 300 1000 3000)")
    p.add_argument("--steps", type=int, default=600, help="about this many steps of 64 on the small sets (default 600)")
    p.add_argument("--min-epochs", type=int, default=10, help="at least this many epochs (default 10)")
    p.add_argument("--pool", type=int, default=10000, help="training images the subsets are drawn from (default 10000)")
    p.add_argument("--n-test", type=int, default=2000, help="test images (default 2000)")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, metrics=METRICS,
                    report=report, seeds=3)


if __name__ == "__main__":
    main()
