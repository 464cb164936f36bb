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
Each ensemble is one configuration of a study and each seed a new set of
members; the two ensembles of a seed start from the same member seeds.
``--figure`` writes ``nr.plots.bagging_curve`` of the first seed's bagging run.

    python experiments/bagging.py                       # embedded font digits
    python experiments/bagging.py --quick --figure bagging.png
    python experiments/bagging.py --data fashion-mnist --seeds 3
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

METRICS = ["member_error", "ensemble_error", "rho", "error_correlation", "distinct_fraction"]


def first_members(bag, k):
    sub = nr.Bagging(bag.make_model, k)
    sub.members = bag.members[:k]
    sub.resamples = bag.resamples[:k]
    return sub


def full_data_ensemble(X, y, k, epochs, seed):
    """k seed networks on the whole training set: no resampling, only the member seeds differ."""
    full = nr.Bagging(lambda s: nr.mlp(seed=s), k=k, seed=seed)
    full.members, full.resamples, full.histories = [], [], []
    root = np.random.default_rng(seed)
    for _ in range(k):
        s = int(root.integers(2**31))
        m = nr.mlp(seed=s)
        nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=1e-3), (X, y), epochs=epochs,
               batch_size=64, seed=s, verbose=False)
        full.members.append(m)
        full.resamples.append(np.arange(len(X)))
    return full


def run(config, seeds):
    """One ensemble of k seed networks; its errors, the correlation of its members' mistakes, and its curve."""
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    k, epochs = config["k"], config["epochs"]
    if config["ensemble"] == "bagging":
        bag = nr.Bagging(lambda s: nr.mlp(seed=s), k=k, seed=seeds.model).fit(X, y, epochs=epochs, batch_size=64)
    else:
        bag = full_data_ensemble(X, y, k, epochs, seeds.model)
    r = bag.report(Xt, yt)
    curve = [first_members(bag, j).report(Xt, yt) for j in range(1, k + 1)]
    return {"member_error": float(np.mean(r.member_error)), "ensemble_error": r.ensemble_error, "rho": r.rho,
            "error_correlation": r.error_correlation, "distinct_fraction": float(np.mean(r.distinct_fraction)),
            "v": r.v, "c": r.c, "member_sq_error": list(r.member_sq_error),
            "curve_ensemble_error": [rk.ensemble_error for rk in curve],
            "curve_member_error": [float(np.mean(rk.member_error)) for rk in curve],
            "curve_sq_error": [rk.ensemble_sq_error for rk in curve]}


def make_study(args):
    n_train, n_test, k, epochs = (1000, 500, 3, 3) if args.quick else (args.n_train, args.n_test, args.k, args.epochs)
    configs = [{"ensemble": e, "data": args.data, "n_train": n_train, "n_test": n_test, "k": k, "epochs": epochs}
               for e in ("bagging", "full data")]
    return st.Study("bagging", run, configs, seeds=args.seeds)


def report(result, args):
    bag = [e for e in result.records if e["config"]["ensemble"] == "bagging"]
    if not bag:
        return
    print("  (distinct_fraction: distinct examples per resample, 1 - 1/e = 0.632 for bootstrap resamples; "
          "rho = c/v)")
    first = bag[0]["record"]
    v, c = first["v"], first["c"]
    print(f"\nbagging, seed {bag[0]['seed']}: the first k members")
    print(f"{'k':>3} {'ensemble error':>15} {'mean member error':>18} {'v/k+(k-1)c/k':>13} {'measured':>9}")
    for j, (e, m, sq) in enumerate(zip(first["curve_ensemble_error"], first["curve_member_error"],
                                       first["curve_sq_error"]), 1):
        print(f"{j:>3} {e:>15.4f} {m:>18.4f} {v / j + (j - 1) * c / j:>13.5f} {sq:>9.5f}")
    print("  (the formula column uses the v and c of all k members; 'measured' is the first k members' own)")
    if len(result.study.seeds) >= 2 and result.complete:
        full, bagging = result.study.configs[1], result.study.configs[0]
        diffs = [st.paired_difference(result.records, m, full, bagging) for m in ("ensemble_error", "member_error")]
        print("\nbagging minus the full-data ensemble, same member seeds (paired):")
        print("\n".join(st.format_differences(diffs)))
    if args.figure:
        ks = list(range(1, len(first["curve_sq_error"]) + 1))
        fig = nr.plots.bagging_curve(ks, first["curve_sq_error"], v, c, member_sq_error=first["member_sq_error"],
                                     title=f"Bagging {len(ks)} seed networks on {args.data}")
        fig.savefig(args.figure, dpi=120)
        print(f"\nfigure written to {args.figure}")


def add_arguments(ap):
    ap.add_argument("--n-train", type=int, default=2000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--k", type=int, default=8, help="number of members")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--figure", default=None, help="write the bagging-curve figure (first seed) to this PNG")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, metrics=METRICS,
                    report=report, seeds=1)


if __name__ == "__main__":
    main()
