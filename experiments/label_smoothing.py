"""Label smoothing (§7.5.1): what it does to calibration and accuracy, in both conventions.

A 784-128-128-10 ReLU network (Adam, batches of 256) is trained with
``nr.SoftmaxCrossEntropy(label_smoothing=epsilon, smoothing=...)`` for
several ``epsilon``, in two regimes: the seed network (dropout 0.5,
``--epochs``) and the same network without dropout trained 2.5 times
longer, which grows over-confident. The two conventions:

    book      the true class gets 1 - epsilon, every other class epsilon / (k - 1)
              (§7.5.1 and the seed's slide)
    uniform   (1 - epsilon) onehot + epsilon / k, as torch.nn.CrossEntropyLoss
              (the true class gets 1 - epsilon + epsilon / k)

(the book's epsilon equals the uniform one times (k - 1) / k, so at equal
epsilon "uniform" smooths a little less). For each, on the test set: the
accuracy, the expected calibration error (15 bins, nr.metrics), the
negative log-likelihood of the labels, and the mean confidence (largest
predicted probability), mean ± sd over seeds; then each smoothed run
against the unsmoothed run of the same regime and seed (paired
differences, A/B on identical data streams). Müller, Kornblith & Hinton
(2019) report that smoothing improves calibration; the table shows what
happens here.

    python experiments/label_smoothing.py                      # embedded font digits
    python experiments/label_smoothing.py --quick              # about a minute
    python experiments/label_smoothing.py --data fashion-mnist --plot reliability.png   # + _ece.png, _paired.png
    python experiments/label_smoothing.py --executor dask --scheduler tcp://scheduler:8786
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

METRICS = ["accuracy", "ece", "nll", "confidence"]


def run(config, seeds):
    """Train one network with one smoothing; its test accuracy, ECE, NLL and confidence."""
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    smoothing = "book" if config["smoothing"] == "none" else config["smoothing"]
    crit = nr.SoftmaxCrossEntropy(label_smoothing=config["epsilon"], smoothing=smoothing)
    model = nr.mlp(dropout=config["dropout"], seed=seeds.model)
    nr.fit(model, crit, nr.Adam(model.parameters()), (X, y), epochs=config["epochs"], batch_size=256,
           seed=seeds.shuffle, verbose=False)
    pr = nr.softmax(nr.predict(model, Xt).astype(np.float64))
    record = {"true_class_target": float(crit.targets(10)[0]), "accuracy": nr.metrics.accuracy(pr, yt),
              "ece": nr.metrics.expected_calibration_error(pr, yt),
              "nll": nr.metrics.negative_log_likelihood(pr, yt), "confidence": float(pr.max(axis=1).mean())}
    if config["dropout"] == 0.0 and config["smoothing"] in ("none", "book"):    # for the reliability diagram
        record["test_confidence"] = pr.max(axis=1).tolist()
        record["test_correct"] = (pr.argmax(axis=1) == yt).astype(int).tolist()
    return record


def make_study(args):
    quick = args.quick
    n_train, n_test, epochs = (3000, 1000, 4) if quick else (args.n_train, args.n_test, args.epochs)
    eps = [0.1] if quick else [e for e in args.eps if e > 0]
    regimes = [("seed network", args.dropout, epochs), ("no dropout", 0.0, round(2.5 * epochs))]
    smoothings = [("none", 0.0)] + [(conv, e) for e in eps for conv in ("book", "uniform")]
    configs = [{"regime": name, "dropout": dropout, "epochs": ep, "smoothing": conv, "epsilon": e,
                "data": args.data, "n_train": n_train, "n_test": n_test}
               for name, dropout, ep in regimes for conv, e in smoothings]
    return st.Study("label_smoothing", run, configs, seeds=args.seeds)


def probabilities(confidence, correct, y, k=10):
    """Probability rows with each example's largest probability and correctness, for labels ``y``.

    A reliability diagram depends on each example's confidence and correctness only, which is what a
    record keeps: the largest probability ``c >= 1/k`` goes to the label when the run was right, to
    the next class when it was wrong, and the rest is spread evenly.
    """
    c = np.asarray(confidence, dtype=float)
    p = np.repeat(((1.0 - c) / (k - 1))[:, None], k, axis=1)
    top = np.where(np.asarray(correct) == 1, y, (y + 1) % k)
    p[np.arange(len(c)), top] = c
    return p


def paired_against_unsmoothed(result):
    """Each smoothed configuration against the unsmoothed one of its regime, per seed."""
    pairs = [(dict(e["config"], smoothing="none", epsilon=0.0), e["config"]) for e in result.records
             if e["config"]["smoothing"] != "none" and e["seed"] == result.study.seeds[0]]
    return [st.paired_difference(result.records, m, a, b) for a, b in pairs for m in ("ece", "accuracy")]


def report(result, args):
    if len(result.study.seeds) >= 2 and result.complete:
        print("\nsmoothed minus unsmoothed, same regime and seed (paired):")
        print("\n".join(st.format_differences(paired_against_unsmoothed(result))))
    print("(ECE: 15 equal-width confidence bins; confidence: mean largest predicted probability, "
          "above the accuracy = over-confident)")
    if args.plot:
        first = result.records[0]["config"]
        yt = st.dataset(first["data"], first["n_train"], first["n_test"])[1][1]
        probs = {f"epsilon = {e['config']['epsilon']:g}": probabilities(e["record"]["test_confidence"],
                                                                        e["record"]["test_correct"], yt)
                 for e in result.records if "test_confidence" in e["record"] and e["seed"] == result.study.seeds[0]}
        fig = nr.plots.reliability_diagram(probs, yt, title=f"Label smoothing (book), no dropout, {args.data}")
        fig.savefig(args.plot, dpi=120)
        stem = os.path.splitext(args.plot)[0]
        rows = [r for r in st.aggregate(result.records, METRICS) if r["regime"] == "no dropout"]
        nr.plots.study_curve(rows, "epsilon", "ece", group="smoothing",
                             title="ECE against epsilon, no dropout").savefig(f"{stem}_ece.png", dpi=120)
        written = [args.plot, f"{stem}_ece.png"]
        if len(result.study.seeds) >= 2 and result.complete:
            diffs = [d for d in paired_against_unsmoothed(result) if d.metric == "ece"]
            nr.plots.paired_intervals(diffs, title="ECE: smoothed minus unsmoothed, paired by seed").savefig(
                f"{stem}_paired.png", dpi=120)
            written.append(f"{stem}_paired.png")
        print(f"figures written to {', '.join(written)}")


def add_arguments(p):
    p.add_argument("--n-train", type=int, default=12000, help="training images (default 12000)")
    p.add_argument("--n-test", type=int, default=4000, help="test images (default 4000)")
    p.add_argument("--epochs", type=int, default=12,
                   help="epochs of the seed-network runs; the no-dropout runs get 2.5 times more (default 12)")
    p.add_argument("--eps", type=float, nargs="+", default=[0.02, 0.05, 0.1, 0.2],
                   help="label-smoothing epsilons besides 0 (default 0.02 0.05 0.1 0.2)")
    p.add_argument("--dropout", type=float, default=0.5, help="dropout of the seed network (default 0.5)")
    p.add_argument("--plot", default=None, help="write reliability diagrams (no dropout, book convention, first "
                   "seed) to this PNG, ECE against epsilon to <name>_ece.png and the paired differences of ECE "
                   "to <name>_paired.png")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, metrics=METRICS,
                    report=report, seeds=2)


if __name__ == "__main__":
    main()
