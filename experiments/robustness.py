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
all corrupted test sets, and the accuracy kept relative to the clean one;
with ``--repeats 3`` every model is trained from three seeds and the table
shows the means (and the spread of the summary numbers).

    python experiments/robustness.py                      # embedded font digits
    python experiments/robustness.py --data fashion-mnist
    python experiments/robustness.py --repeats 3 --plot robustness.png

The paper's claim -- a sparse, local first layer degrades less under noise
not seen in training -- is tested, not assumed: the script reports what it
finds either way.
"""
import argparse
import sys
import time

import numpy as np

import numreg as nr


def load(name, n_train, n_test, seed):
    """``(X_train, y_train), (X_test, y_test)`` as float32 (n, 28, 28) in [0, 1]."""
    if name == "font-digits":
        if not hasattr(nr.data, "load_font_digits"):
            sys.exit("numreg.data.load_font_digits is not available in this version; use --data fashion-mnist")
        return nr.data.load_font_digits(n_train=n_train, n_test=n_test, seed=seed)
    (Xtr, ytr), (Xte, yte) = nr.data.load_fashion_mnist()
    Xtr, ytr = nr.data.subsample(Xtr, ytr, min(n_train, len(Xtr)), seed=seed)
    Xte, yte = nr.data.subsample(Xte, yte, min(n_test, len(Xte)), seed=seed + 1)
    return (Xtr, ytr), (Xte, yte)


def models(args):
    """``{name: (model, augment)}``, every model from the same seed."""
    s = args.seed
    mask = nr.local_mask((28, 28), args.hidden, args.field, seed=s)
    local = nr.Sequential(nr.Flatten(), nr.SparseLinear(784, args.hidden, mask), nr.ReLU(),
                          nr.Linear(args.hidden, args.hidden), nr.ReLU(), nr.Linear(args.hidden, 10), seed=s)
    hidden = (args.hidden, args.hidden)
    return {
        "dense": (nr.mlp(hidden=hidden, dropout=0, seed=s), None),
        "local sparse": (local, None),
        "input noise": (nr.mlp(hidden=hidden, dropout=0, input_noise=args.noise, seed=s), None),
        "augmentation": (nr.mlp(hidden=hidden, dropout=0, seed=s), nr.augment.RandomAffine(seed=s)),
        "dropout": (nr.mlp(hidden=hidden, dropout=0.5, seed=s), None),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", choices=["font-digits", "fashion-mnist"], default="font-digits",
                   help="embedded font digits (default) or Fashion-MNIST from disk")
    p.add_argument("--n-train", type=int, default=12000, help="training images (default 12000)")
    p.add_argument("--n-test", type=int, default=4000, help="test images (default 4000)")
    p.add_argument("--epochs", type=int, default=12, help="training epochs per model (default 12)")
    p.add_argument("--hidden", type=int, default=128, help="width of the hidden layers (default 128)")
    p.add_argument("--field", type=int, default=10, help="side of the local receptive fields (default 10)")
    p.add_argument("--noise", type=float, default=0.3, help="std of the input-noise model's noise (default 0.3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the data, the models and the corruptions")
    p.add_argument("--repeats", type=int, default=1,
                   help="train every model with seeds seed, seed+1, ... and average (default 1)")
    p.add_argument("--plot", default=None, help="write the robustness curves to this PNG file")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    (Xtr, ytr), (Xte, yte) = load(args.data, args.n_train, args.n_test, args.seed)
    seeds = list(range(args.seed, args.seed + args.repeats))
    print(f"data: {args.data}, {len(Xtr)} training and {len(Xte)} test images; "
          f"{args.epochs} epochs, hidden {args.hidden}, local field {args.field}x{args.field}, "
          f"input noise std {args.noise}, model seeds {seeds}")
    runs = {}                                     # name -> [RobustnessTable per seed]
    for s in seeds:
        args.seed = s
        for name, (model, aug) in models(args).items():
            t = time.perf_counter()
            nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (Xtr, ytr),
                   epochs=args.epochs, batch_size=256, seed=s, verbose=False, augment=aug)
            runs.setdefault(name, []).append(nr.robustness(model, Xte, yte, seed=s))
            print(f"  seed {s}: trained {name:<13} in {time.perf_counter() - t:5.1f} s, clean test accuracy "
                  f"{runs[name][-1].clean:.4f}")
    tables = {name: mean_table(ts) for name, ts in runs.items()}
    print()
    if len(seeds) > 1:
        print(f"mean test accuracy over the {len(seeds)} seeds:")
    print(nr.robust.compare(tables))
    print()
    width = max(len(n) for n in tables)
    pm = "        " if len(seeds) == 1 else " +- std "
    print(f"{'model':<{width}}  clean{pm}  mean corrupted{pm}  kept   "
          + "  ".join(f"{c:>8}" for c in nr.corrupt.CORRUPTIONS))
    for name, ts in runs.items():
        clean = np.array([t.clean for t in ts])
        corrupted = np.array([np.mean([a for c, lv, a in t.rows() if c != "clean"]) for t in ts])
        per = [np.mean([np.mean(list(t[c].values())) for t in ts]) for c in nr.corrupt.CORRUPTIONS]
        sd = (lambda v: f" +- {v.std(ddof=1):.3f}") if len(seeds) > 1 else (lambda v: "")
        print(f"{name:<{width}}  {clean.mean():.4f}{sd(clean)}  {corrupted.mean():14.4f}{sd(corrupted)}  "
              f"{corrupted.mean() / clean.mean():5.3f}  " + "  ".join(f"{v:8.4f}" for v in per))
    print("(per-corruption columns: mean accuracy over its three levels; kept = mean corrupted / clean)")
    if args.plot:
        fig = nr.plots.robustness_curves(tables, title=f"Trained on clean {args.data}, tested corrupted")
        fig.savefig(args.plot, dpi=120)
        print(f"figure written to {args.plot}")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return runs


def mean_table(tables):
    """The mean of several RobustnessTables of the same corruptions and levels."""
    out = nr.robust.RobustnessTable(n=tables[0].n)
    for c, levels in tables[0].items():
        out[c] = {lv: float(np.mean([t[c][lv] for t in tables])) for lv in levels}
    return out

if __name__ == "__main__":
    main()
