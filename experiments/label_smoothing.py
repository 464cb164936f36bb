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
predicted probability). Müller, Kornblith & Hinton (2019) report that
smoothing improves calibration; the table shows what happens here.

    python experiments/label_smoothing.py                      # embedded font digits
    python experiments/label_smoothing.py --data fashion-mnist
    python experiments/label_smoothing.py --plot reliability.png
"""
import argparse
import sys
import time

import numpy as np

import numreg as nr


def load(name, n_train, n_test, seed):
    if name == "font-digits":
        if not hasattr(nr.data, "load_font_digits"):
            sys.exit("numreg.data.load_font_digits is not available in this version; use --data fashion-mnist")
        return nr.data.load_font_digits(n_train=n_train, n_test=n_test, seed=seed)
    (Xtr, ytr), (Xte, yte) = nr.data.load_fashion_mnist()
    Xtr, ytr = nr.data.subsample(Xtr, ytr, min(n_train, len(Xtr)), seed=seed)
    Xte, yte = nr.data.subsample(Xte, yte, min(n_test, len(Xte)), seed=seed + 1)
    return (Xtr, ytr), (Xte, yte)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", choices=["font-digits", "fashion-mnist"], default="font-digits")
    p.add_argument("--n-train", type=int, default=12000, help="training images (default 12000)")
    p.add_argument("--n-test", type=int, default=4000, help="test images (default 4000)")
    p.add_argument("--epochs", type=int, default=12,
                   help="epochs of the seed-network runs; the no-dropout runs get 2.5 times more (default 12)")
    p.add_argument("--eps", type=float, nargs="+", default=[0.02, 0.05, 0.1, 0.2],
                   help="label-smoothing epsilons besides 0 (default 0.02 0.05 0.1 0.2)")
    p.add_argument("--dropout", type=float, default=0.5, help="dropout of the seed network (default 0.5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", default=None,
                   help="write reliability diagrams (no dropout, book convention) to this PNG")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    (Xtr, ytr), (Xte, yte) = load(args.data, args.n_train, args.n_test, args.seed)
    print(f"data: {args.data}, {len(Xtr)} training and {len(Xte)} test images; seed {args.seed}")
    regimes = [(f"seed network: dropout {args.dropout}, {args.epochs} epochs", args.dropout, args.epochs),
               (f"no dropout, {round(2.5 * args.epochs)} epochs", 0.0, round(2.5 * args.epochs))]
    runs = [("none", 0.0)] + [(conv, e) for e in args.eps if e > 0 for conv in ("book", "uniform")]
    probs = {}
    for title, dropout, epochs in regimes:
        print()
        print(title)
        print(f"{'smoothing':<9} {'epsilon':>7} {'true-class target':>17}  {'accuracy':>8}  {'ECE':>6}  "
              f"{'NLL':>6}  {'confidence':>10}")
        for conv, eps in runs:
            crit = nr.SoftmaxCrossEntropy(label_smoothing=eps, smoothing="book" if conv == "none" else conv)
            model = nr.mlp(dropout=dropout, seed=args.seed)
            nr.fit(model, crit, nr.Adam(model.parameters()), (Xtr, ytr), epochs=epochs, batch_size=256,
                   seed=args.seed, verbose=False)
            pr = nr.softmax(nr.predict(model, Xte).astype(np.float64))
            on = crit.targets(10)[0]
            acc = nr.metrics.accuracy(pr, yte)
            ece = nr.metrics.expected_calibration_error(pr, yte)
            nll = nr.metrics.negative_log_likelihood(pr, yte)
            print(f"{conv:<9} {eps:7.2f} {on:17.3f}  {acc:8.4f}  {ece:6.4f}  {nll:6.4f}  "
                  f"{pr.max(axis=1).mean():10.4f}")
            if dropout == 0.0 and conv in ("none", "book"):
                probs[f"epsilon = {eps:g}"] = pr
    print("(ECE: 15 equal-width confidence bins; confidence: mean largest predicted probability, "
          "above the accuracy = over-confident)")
    if args.plot:
        fig = nr.plots.reliability_diagram(probs, yte, title=f"Label smoothing (book), no dropout, {args.data}")
        fig.savefig(args.plot, dpi=120)
        print(f"figure written to {args.plot}")
    print(f"total {time.perf_counter() - t0:.1f} s")

if __name__ == "__main__":
    main()
