"""Bagging the seed network (§7.11): members' errors, the ensemble's, and v/k + (k-1)c/k.

``--k`` copies of the seed network (784-128-128-10, dropout 0.5), each
trained on its own bootstrap resample of ``--n-train`` images (about 63%
distinct), their softmax probabilities averaged. On the test set the
script prints each member's error, the ensemble's, how correlated the
members' mistakes are, and the book's decomposition of the ensemble's
squared error, with ``epsilon_i = p_i(x) - onehot(y)``:

    E[(1/k sum_i epsilon_i)^2] = v/k + (k - 1) c / k,

then the same quantities for the first 1, 2, ..., k members. For
comparison, an ensemble of the same size trained on the full training set
(different initializations and batch orders only, no resampling).
``--out`` writes ``nr.plots.bagging_curve``.

    python experiments/bagging.py                       # embedded font digits
    python experiments/bagging.py --data fashion-mnist
"""
import argparse
import time

import numpy as np

import numreg as nr


def load(args):
    return nr.data.load_dataset(args.data, args.n_train, args.n_test, seed=args.seed)


def first_members(bag, k):
    sub = nr.Bagging(bag.make_model, k)
    sub.members = bag.members[:k]
    sub.resamples = bag.resamples[:k]
    return sub


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=2000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--k", type=int, default=8, help="number of members")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="", help="write the bagging-curve figure to this PNG ('' : none)")
    args = ap.parse_args()
    (X, y), (Xt, yt) = load(args)
    print(f"data: {args.data}; {len(X)} training / {len(Xt)} test images; k = {args.k} seed networks, "
          f"{args.epochs} epochs each, Adam lr 1e-3, batch 64\n")
    t0 = time.perf_counter()
    bag = nr.Bagging(lambda s: nr.mlp(seed=s), k=args.k, seed=args.seed).fit(X, y, epochs=args.epochs, batch_size=64)
    t_bag = time.perf_counter() - t0
    r = bag.report(Xt, yt)
    print(r)
    print(f"  distinct examples per resample: {np.mean(r.distinct_fraction):.3f} on average (1 - 1/e = 0.632); "
          f"{t_bag:.0f} s of training\n")

    print(f"{'k':>3} {'ensemble error':>15} {'mean member error':>18} {'v/k+(k-1)c/k':>13} {'measured':>9}")
    ks, measured = [], []
    for k in range(1, args.k + 1):
        rk = first_members(bag, k).report(Xt, yt)
        ks.append(k)
        measured.append(rk.ensemble_sq_error)
        print(f"{k:>3} {rk.ensemble_error:>15.4f} {np.mean(rk.member_error):>18.4f} "
              f"{r.v / k + (k - 1) * r.c / k:>13.5f} {rk.ensemble_sq_error:>9.5f}")
    print("  (the formula column uses the v and c of all k members; 'measured' is the first k members' own)\n")

    # the same number of networks on the full training set: no resampling, only the seeds differ
    full = nr.Bagging(lambda s: nr.mlp(seed=s), k=args.k, seed=args.seed)
    full.members, full.resamples, full.histories = [], [], []
    root = np.random.default_rng(args.seed)
    for _ in range(args.k):
        s = int(root.integers(2**31))
        m = nr.mlp(seed=s)
        nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=1e-3), (X, y), epochs=args.epochs,
               batch_size=64, seed=s, verbose=False)
        full.members.append(m)
        full.resamples.append(np.arange(len(X)))
    rf = full.report(Xt, yt)
    print(f"{'ensemble of ' + str(args.k):<34} {'member error':>13} {'ensemble error':>15} {'rho = c/v':>10} "
          f"{'mistake corr.':>14}")
    for name, rep in (("bagging (bootstrap resamples)", r), ("full data, different seeds only", rf)):
        print(f"{name:<34} {np.mean(rep.member_error):>13.4f} {rep.ensemble_error:>15.4f} {rep.rho:>10.3f} "
              f"{rep.error_correlation:>14.3f}")
    if args.out:
        fig = nr.plots.bagging_curve(ks, measured, r.v, r.c, member_sq_error=r.member_sq_error,
                                     title=f"Bagging {args.k} seed networks on {args.data}")
        fig.savefig(args.out, dpi=120)
        print(f"\nfigure written to {args.out}")


if __name__ == "__main__":
    main()
