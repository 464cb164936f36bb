"""Weights of the seed network trained with no penalty, L2, L1 (prox and subgradient) and max-norm.

§7.1-7.2 in one table: L2 shrinks every weight and zeroes none; L1 with the
proximal step (Eq. 7.23) sets many weights to *exactly* 0; L1 through its
subgradient alpha sign(w) leaves them small but non-zero (the same
penalty, a different optimizer); max-norm only caps each unit's incoming
weight vector. Prints the table (mean ± sd over seeds; every run of a seed
sees the same initial weights, batch order and dropout masks' generator
seed) and, with ``--figure``, the histograms (``nr.plots.weight_histograms``)
of the first seed's networks, re-trained in this process.

    python experiments/weight_histograms.py                      # embedded font digits
    python experiments/weight_histograms.py --quick --figure weight_histograms.png
    python experiments/weight_histograms.py --data fashion-mnist

Plain SGD (no momentum) is used for every run, so that L1's prox step is
the textbook proximal-gradient step with step size ``lr`` (see ``nr.L1``).
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

METRICS = ["train_J", "train_J_plus_penalty", "test_accuracy", "exact_zero", "near_zero", "weight_norm",
           "max_column_norm"]


def regularizer(config):
    """``fit`` keywords of the run's penalty or constraint."""
    kind, strength = config["regularizer"], config["strength"]
    if kind == "L2":
        return dict(penalties=[nr.L2(strength)])
    if kind.startswith("L1"):
        return dict(penalties=[nr.L1(strength, method=kind.split("-")[1])])
    if kind == "max-norm":
        return dict(constraints=[nr.MaxNorm(strength)])
    return {}


def train(config, seeds):
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    model = nr.mlp(seed=seeds.model)
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=config["lr"]), (X, y),
               epochs=config["epochs"], batch_size=64, seed=seeds.shuffle, verbose=False, **regularizer(config))
    return model, h, nr.evaluate(model, nr.SoftmaxCrossEntropy(), Xt, yt)[1]


def run(config, seeds):
    """Train the seed network with one penalty or constraint; what it did to the weights."""
    model, h, acc = train(config, seeds)
    weights = [p.data for p in model.parameters() if p.regularized]
    w = np.concatenate([a.ravel() for a in weights])
    return {"train_J": h.train_data_loss[-1], "train_J_plus_penalty": h.train_loss[-1], "test_accuracy": acc,
            "exact_zero": float(np.mean(w == 0)), "near_zero": float(np.mean(np.abs(w) < 1e-3)),
            "weight_norm": float(np.linalg.norm(w)),
            "max_column_norm": max(float(np.linalg.norm(a, axis=0).max()) for a in weights)}


def make_study(args):
    n_train, n_test, epochs = (2000, 500, 3) if args.quick else (args.n_train, args.n_test, args.epochs)
    regs = [("none", 0.0), ("L2", args.l2), ("L1-prox", args.l1), ("L1-subgradient", args.l1), ("max-norm", args.c)]
    configs = [{"regularizer": r, "strength": a, "data": args.data, "n_train": n_train, "n_test": n_test,
                "epochs": epochs, "lr": args.lr} for r, a in regs]
    return st.Study("weight_histograms", run, configs, seeds=args.seeds)


def report(result, args):
    print("\nexact_zero: fraction of weights (W, not b) exactly 0; near_zero: |w| < 1e-3; max_column_norm: the "
          "largest norm of a unit's incoming weight vector (a column of W), which max-norm caps at c.")
    if args.figure:
        seeds = st.run_seeds(result.study.seeds[0])
        models = {f"{c['regularizer']} ({c['strength']:g})": train(c, seeds)[0] for c in result.study.configs}
        fig = nr.plots.weight_histograms(models)
        fig.savefig(args.figure, dpi=100)
        print(f"figure written to {args.figure}")


def add_arguments(ap):
    ap.add_argument("--n-train", type=int, default=4000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--l2", type=float, default=1e-3, help="alpha of L2")
    ap.add_argument("--l1", type=float, default=5e-4, help="alpha of L1")
    ap.add_argument("--c", type=float, default=1.0, help="max-norm radius")
    ap.add_argument("--figure", default=None, help="write the weight histograms of the first seed to this PNG")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, metrics=METRICS,
                    report=report, seeds=2)


if __name__ == "__main__":
    main()
