"""Multitask against single-task training in a small-data regime (§7.7).

Two tasks share the input image: the class (softmax cross-entropy) and a
second target derived from the image itself, its 7 x 7 thumbnail (the
mean of each 4 x 4 block of pixels; squared error). The multitask network
is the seed network's first layer as a shared trunk (784-128, ReLU,
dropout 0.5) with a class head (128-128-10, the rest of the seed network)
and a thumbnail head (128-49). The single-task network is the trunk with
the class head alone: the seed network. Both see the same ``--n-train``
labeled images, for the same number of steps, over ``--seeds`` seeds;
the table gives the test accuracy of the class head (mean and standard
deviation over seeds) and the test squared error of the thumbnail head.

The book's claim (§7.7, Figure 7.2): "the shared parameters ... can
benefit from the statistical strength of the other tasks", so they
generalize better, when the tasks really share factors -- here both need
the strokes' layout.

Each multitask network is also compared with the single-task one of the
same seed (the same batch order; paired differences with intervals).

    python experiments/multitask_vs_single.py                       # embedded font digits
    python experiments/multitask_vs_single.py --quick
    python experiments/multitask_vs_single.py --data fashion-mnist --seeds 5
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores


import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402


def thumbnail(X):
    """7 x 7 thumbnail of 28 x 28 images: the mean of each 4 x 4 block, flattened to 49 numbers."""
    return X.reshape(len(X), 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(X), 49)


def build(seed, weights):
    trunk = nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU(), nr.Dropout(0.5))
    heads = [nr.Sequential(nr.Linear(128, 128), nr.ReLU(), nr.Dropout(0.5), nr.Linear(128, 10))]
    criteria = [nr.SoftmaxCrossEntropy()]
    if weights[1] > 0:
        heads.append(nr.Linear(128, 49))
        criteria.append(nr.MSELoss())
    return nr.MultiTask(trunk, heads, weights[:len(heads)], criteria=criteria, seed=seed)


def run(config, seeds):
    """Train one network (single task or multitask) in the small-data regime; its test accuracy and MSE."""
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    T, Tt = thumbnail(X), thumbnail(Xt)
    w = (config["class_weight"], config["thumbnail_weight"])
    model = build(seeds.model, w)
    batch = 32
    epochs = -(-config["steps"] // -(-len(X) // batch))
    model.fit(nr.Adam(model.parameters(), lr=1e-3), X, [y, T][:len(model.heads)], epochs=epochs, batch_size=batch,
              seed=seeds.shuffle)
    _, task_loss, acc = model.evaluate(Xt, [yt, Tt][:len(model.heads)])
    return {"class_accuracy": float(acc[0]) if w[0] > 0 else None,
            "thumbnail_mse": float(task_loss[1]) if len(model.heads) > 1 else None, "epochs": epochs}


def make_study(args):
    n_train, n_test, steps = (300, 1000, 300) if args.quick else (args.n_train, args.n_test, args.steps)
    weights = [10.0] if args.quick else args.weights
    # single task (class only), multitask at each thumbnail weight, and the thumbnail alone
    pairs = [(1.0, 0.0)] + [(1.0, w) for w in weights] + [(0.0, 1.0)]
    configs = [{"class_weight": c, "thumbnail_weight": t, "data": args.data, "n_train": n_train, "n_test": n_test,
                "steps": steps} for c, t in pairs]
    return st.Study("multitask_vs_single", run, configs, seeds=args.seeds)


def report(result, args):
    if len(result.study.seeds) < 2 or not result.complete:
        return
    single = result.study.configs[0]
    multi = [c for c in result.study.configs if c["class_weight"] > 0 and c["thumbnail_weight"] > 0]
    diffs = [st.paired_difference(result.records, "class_accuracy", single, c) for c in multi]
    print("\nmultitask minus single-task class accuracy, same seed (paired):")
    print("\n".join(st.format_differences(diffs)))
    best = max(diffs, key=lambda d: d.mean)
    print(f"best multitask: thumbnail weight {best.treatment['thumbnail_weight']:g}: {100 * best.mean:+.1f} points "
          f"(paired t interval [{100 * best.t_interval[0]:+.1f}, {100 * best.t_interval[1]:+.1f}])")


def add_arguments(ap):
    ap.add_argument("--n-train", type=int, default=300, help="labeled training images (the small-data regime)")
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=1500, help="optimizer steps per run")
    ap.add_argument("--weights", type=float, nargs="+", default=[1.0, 10.0, 30.0, 100.0],
                    help="weights of the thumbnail task to try (the class task has weight 1)")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments,
                    metrics=["class_accuracy", "thumbnail_mse"], report=report, seeds=3)


if __name__ == "__main__":
    main()
