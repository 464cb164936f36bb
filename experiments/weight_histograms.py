"""Weights of the seed network trained with no penalty, L2, L1 (prox and subgradient) and max-norm.

§7.1-7.2 in one table: L2 shrinks every weight and zeroes none; L1 with the
proximal step (Eq. 7.23) sets many weights to *exactly* 0; L1 through its
subgradient alpha sign(w) leaves them small but non-zero (the same
penalty, a different optimizer); max-norm only caps each unit's incoming
weight vector. Prints the table and writes the histograms
(``nr.plots.weight_histograms``) to ``--out``.

    python experiments/weight_histograms.py                      # embedded font digits
    python experiments/weight_histograms.py --data fashion-mnist

Plain SGD (no momentum) is used for every run, so that L1's prox step is
the textbook proximal-gradient step with step size ``lr`` (see ``nr.L1``).
"""
import argparse
import time

import numpy as np

import numreg as nr


def load(args):
    if args.data == "fashion-mnist":
        (X, y), (Xt, yt) = nr.data.load_fashion_mnist()
        X, y = nr.data.subsample(X, y, args.n_train, seed=args.seed)
        Xt, yt = nr.data.subsample(Xt, yt, args.n_test, seed=args.seed)
        return (X, y), (Xt, yt)
    return nr.data.load_font_digits(n_train=args.n_train, n_test=args.n_test, seed=args.seed)


def configs(args):
    return {
        "no penalty": dict(),
        f"L2 alpha={args.l2:g}": dict(penalties=[nr.L2(args.l2)]),
        f"L1-prox alpha={args.l1:g}": dict(penalties=[nr.L1(args.l1, method="prox")]),
        f"L1-subgradient alpha={args.l1:g}": dict(penalties=[nr.L1(args.l1, method="subgradient")]),
        f"max-norm c={args.c:g}": dict(constraints=[nr.MaxNorm(args.c)]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=4000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--l2", type=float, default=1e-3, help="alpha of L2")
    ap.add_argument("--l1", type=float, default=5e-4, help="alpha of L1")
    ap.add_argument("--c", type=float, default=1.0, help="max-norm radius")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="weight_histograms.png", help="where to write the figure ('' : none)")
    args = ap.parse_args()
    (X, y), (Xt, yt) = load(args)
    print(f"data: {args.data}, {len(X)} training / {len(Xt)} test examples; seed network 784-128-128-10, "
          f"dropout 0.5, SGD lr={args.lr}, batch 64, {args.epochs} epochs\n")
    head = (f"{'run':<28} {'train J':>8} {'train J+aOmega':>14} {'test acc':>8} {'exact 0':>8} "
            f"{'|w|<1e-3':>8} {'||W||_2':>8} {'max col':>8} {'s':>5}")
    print(head)
    print("-" * len(head))
    models = {}
    for name, kw in configs(args).items():
        model = nr.mlp(seed=args.seed)
        opt = nr.SGD(model.parameters(), lr=args.lr)
        t = time.perf_counter()
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), opt, (X, y), epochs=args.epochs, batch_size=64,
                   seed=args.seed, verbose=False, **kw)
        secs = time.perf_counter() - t
        _, acc = nr.evaluate(model, nr.SoftmaxCrossEntropy(), Xt, yt)
        w = np.concatenate([p.data.ravel() for p in model.parameters() if p.regularized])
        cols = max(float(np.linalg.norm(p.data, axis=0).max()) for p in model.parameters() if p.regularized)
        print(f"{name:<28} {h.train_data_loss[-1]:>8.4f} {h.train_loss[-1]:>14.4f} {acc:>8.4f} "
              f"{np.mean(w == 0):>8.2%} {np.mean(np.abs(w) < 1e-3):>8.2%} {np.linalg.norm(w):>8.2f} "
              f"{cols:>8.3f} {secs:>5.1f}")
        models[name] = model
    print("\nexact 0: fraction of weights (W, not b) exactly 0; |w|<1e-3: nearly 0; max col: the largest "
          "norm of a unit's incoming weight vector (a column of W), which max-norm caps at c.")
    if args.out:
        fig = nr.plots.weight_histograms(models)
        fig.savefig(args.out, dpi=100)
        print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
