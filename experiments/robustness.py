"""Tang & Eliasmith's question on an MLP: which training makes a classifier robust to unseen corruptions?

Five versions of the seed network (784-128-128-10, ReLU, Adam, batches of
256) are trained on *clean* images only, then tested on the test set under
each corruption of ``nr.corrupt`` at three levels (occluding square, additive
Gaussian noise, salt noise, a noisy border):

    dense          fully connected first layer, no regularization
    local sparse   first layer nr.SparseLinear with nr.local_mask: each hidden
                   unit sees one random field x field window (Tang & Eliasmith 2010)
    input noise    nr.GaussianNoise(std) on the input while training (§7.5);
                   note: the "gaussian" rows are then not unseen noise for it
    augmentation   nr.augment.RandomAffine() on every training batch (§7.4)
    dropout        nr.Dropout(0.5) after each hidden layer (§7.12, the seed network)

It prints the accuracy table (one column per model), the mean accuracy over
all corrupted test sets, and the accuracy kept relative to the clean one,
as means over ``--seeds`` seeds (each model of a seed sees the same batch
order and augmentation draws; the corruptions of the test set are fixed),
then each model against the dense one, paired by seed.

    python experiments/robustness.py                      # embedded font digits
    python experiments/robustness.py --quick
    python experiments/robustness.py --data fashion-mnist --seeds 3 --plot robustness.png

The paper's claim -- a sparse, local first layer degrades less under noise
not seen in training -- is tested, not assumed: the script reports what it
finds either way.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

MODELS = ("dense", "local sparse", "input noise", "augmentation", "dropout")


def build(config, seeds):
    """``(model, augment)`` of ``config["model"]``, its weights from the run's model stream."""
    h, s = config["hidden"], seeds.model
    if config["model"] == "local sparse":
        mask = nr.local_mask((28, 28), h, config["field"], seed=s)
        return nr.Sequential(nr.Flatten(), nr.SparseLinear(784, h, mask), nr.ReLU(), nr.Linear(h, h), nr.ReLU(),
                             nr.Linear(h, 10), seed=s), None
    noise = config["noise"] if config["model"] == "input noise" else 0.0
    dropout = 0.5 if config["model"] == "dropout" else 0.0
    aug = nr.augment.RandomAffine(seed=seeds.augment) if config["model"] == "augmentation" else None
    return nr.mlp(hidden=(h, h), dropout=dropout, input_noise=noise, seed=s), aug


def run(config, seeds):
    """Train one model on clean images; its accuracy under every corruption and level."""
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    model, aug = build(config, seeds)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X, y), epochs=config["epochs"],
           batch_size=256, seed=seeds.shuffle, verbose=False, augment=aug)
    table = nr.robustness(model, Xt, yt, seed=0)          # the same corrupted test sets for every run
    corrupted = [a for c, _, a in table.rows() if c != "clean"]
    record = {"clean": table.clean, "mean_corrupted": float(np.mean(corrupted)),
              "kept": float(np.mean(corrupted) / table.clean), "n_test": table.n,
              "rows": [[c, float(lv), a] for c, lv, a in table.rows()]}
    record.update({c: float(np.mean(list(table[c].values()))) for c in nr.corrupt.CORRUPTIONS})
    return record


def make_study(args):
    n_train, n_test, epochs, hidden = (2000, 500, 3, 64) if args.quick else (args.n_train, args.n_test,
                                                                              args.epochs, args.hidden)
    configs = [{"model": m, "data": args.data, "n_train": n_train, "n_test": n_test, "epochs": epochs,
                "hidden": hidden, "field": args.field, "noise": args.noise} for m in MODELS]
    return st.Study("robustness", run, configs, seeds=args.seeds)


def mean_tables(result):
    """``{model: RobustnessTable}``: each model's accuracies averaged over its seeds."""
    tables = {}
    for env in result.records:
        tables.setdefault(env["config"]["model"], []).append(env["record"])
    out = {}
    for name, recs in tables.items():
        t = nr.robust.RobustnessTable(n=recs[0]["n_test"])
        for i, (c, lv, _) in enumerate(recs[0]["rows"]):
            level = int(lv) if float(lv).is_integer() else lv
            t.setdefault(c, {})[level] = float(np.mean([r["rows"][i][2] for r in recs]))
        out[name] = t
    return out


def report(result, args):
    if not result.records:
        return
    tables = mean_tables(result)
    print("\nmean test accuracy over the seeds, per corruption and level:")
    print(nr.robust.compare(tables))
    print("(per-corruption columns of the table above: mean accuracy over its three levels; "
          "kept = mean corrupted / clean)")
    if len(result.study.seeds) >= 2 and result.complete:
        diffs = st.paired_differences(result.records, "mean_corrupted", "model", "dense")
        print("\nagainst the dense network, same seed (paired):")
        print("\n".join(st.format_differences(diffs)))
    if args.plot:
        fig = nr.plots.robustness_curves(tables, title=f"Trained on clean {args.data}, tested corrupted")
        fig.savefig(args.plot, dpi=120)
        print(f"figure written to {args.plot}")


def add_arguments(p):
    p.add_argument("--n-train", type=int, default=12000, help="training images (default 12000)")
    p.add_argument("--n-test", type=int, default=4000, help="test images (default 4000)")
    p.add_argument("--epochs", type=int, default=12, help="training epochs per model (default 12)")
    p.add_argument("--hidden", type=int, default=128, help="width of the hidden layers (default 128)")
    p.add_argument("--field", type=int, default=10, help="side of the local receptive fields (default 10)")
    p.add_argument("--noise", type=float, default=0.3, help="std of the input-noise model's noise (default 0.3)")
    p.add_argument("--plot", default=None, help="write the robustness curves to this PNG file")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments,
                    metrics=["clean", "mean_corrupted", "kept"] + list(nr.corrupt.CORRUPTIONS), report=report,
                    seeds=1)


if __name__ == "__main__":
    main()
