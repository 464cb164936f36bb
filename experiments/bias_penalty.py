"""Why do we leave the bias unregularized? (the seed's question, §7.1) -- answered by experiment.

The book: "the biases typically require less data than the weights to fit
accurately. Each weight specifies how two variables interact ... Each bias
controls only a single variable. This means that we do not induce too much
variance by leaving the biases unregularized. Also, regularizing the bias
parameters can introduce a significant amount of underfitting."

1. Linear regression with an intercept (y = 5 + x.w + noise, small
   training sets): the bias^2 / variance decomposition of the test
   predictions over many training sets, for ridge on the weights only
   against ridge on the weights *and* the bias, at several alpha. Exact,
   from the closed form; one case is re-done with ``nr.fit`` and
   ``nr.L2(alpha, include_biases=...)`` to show the option does the same.
2. The seed network (``nr.mlp``) trained with ``nr.L2`` with and without
   ``include_biases=True``.

Both parts are one study: part 1's configurations are (alpha, what is
penalized) with each seed a new random regression problem (its own w, test
points and training sets); part 2's are (alpha, what is penalized) for the
seed network, each seed a new initialization and batch order, the same for
every configuration. Tables: mean ± sd over seeds.

    python experiments/bias_penalty.py [--quick] [--data fashion-mnist] [--executor dask]
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

D, N, SIGMA, B_TRUE = 10, 25, 1.0, 5.0          # part 1: y = 5 + x.w + N(0, 1), d = 10, n = 25


def ridge_with_intercept(X, y, alpha, penalize_bias):
    """argmin ||X w + b - y||^2 + alpha/2 (||w||^2 [+ b^2]) in closed form, for a stack of training sets.

    ``X`` (R, n, d) and ``y`` (R, n) give ``w`` (R, d) and ``b`` (R,); one batched solve, no loop.
    """
    Z = np.concatenate([X, np.ones(X.shape[:-1] + (1,))], axis=-1)
    Dm = np.eye(Z.shape[-1])
    if not penalize_bias:
        Dm[-1, -1] = 0.0
    Zt = np.swapaxes(Z, -1, -2)
    theta = np.linalg.solve(Zt @ Z + alpha / 2 * Dm, (Zt @ y[..., None]))[..., 0]
    return theta[..., :-1], theta[..., -1]


def regression_problem(seed, sets):
    """The true w, 500 test points and ``sets`` training sets of n = 25, all from ``seed``."""
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(D) * 0.5
    X_test = rng.standard_normal((500, D))
    Xs = rng.standard_normal((sets, N, D))
    ys = Xs @ w_true + B_TRUE + SIGMA * rng.standard_normal((sets, N))
    return w_true, X_test, Xs, ys


def bias_variance(config, seeds):
    """Part 1: bias^2 and variance of ridge's test predictions over many training sets."""
    w_true, X_test, Xs, ys = regression_problem(seeds.split, config["sets"])
    w, b = ridge_with_intercept(Xs, ys, config["alpha"], config["penalize_bias"])
    P = w @ X_test.T + b[:, None]                       # (R, 500)
    bias2 = float(np.mean((P.mean(axis=0) - (X_test @ w_true + B_TRUE)) ** 2))
    var = float(np.mean(P.var(axis=0)))
    return {"bias2": bias2, "variance": var, "test_mse": bias2 + var + SIGMA ** 2, "mean_b": float(b.mean()),
            "var_b": float(b.var())}


def fit_check(config, seeds):
    """Part 1 with nr.fit: nr.L2(a, include_biases=...) against the closed form at alpha = n a."""
    _, _, Xs, ys = regression_problem(seeds.split, 1)
    X, y, a = Xs[0], ys[0], config["alpha"] / N
    model = nr.Sequential(nr.Linear(D, 1), seed=seeds.model).astype(np.float64)
    Z = np.hstack([X, np.ones((N, 1))])
    lam = np.linalg.eigvalsh(2 * Z.T @ Z / N)
    nr.fit(model, nr.MSELoss(), nr.SGD(model.parameters(), lr=1.0 / (lam.max() + a)), (X, y),
           epochs=config["steps"], batch_size=N, penalties=[nr.L2(a, include_biases=config["penalize_bias"])],
           seed=seeds.shuffle, verbose=False)
    w, b = ridge_with_intercept(X, y, config["alpha"], config["penalize_bias"])
    err = max(np.max(np.abs(model[0].W.data[:, 0] - w)), abs(model[0].b.data[0] - b))
    return {"b_fit": float(model[0].b.data[0]), "b_closed_form": float(b), "max_difference": float(err)}


def network(config, seeds):
    """Part 2: the seed network with nr.L2(alpha, include_biases=...)."""
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    model = nr.mlp(seed=seeds.model)
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.01, momentum=0.9), (X, y),
               epochs=config["epochs"], batch_size=64,
               penalties=[nr.L2(config["alpha"], include_biases=config["penalize_bias"])], seed=seeds.shuffle,
               verbose=False)
    loss, acc = nr.evaluate(model, nr.SoftmaxCrossEntropy(), Xt, yt)
    b = np.concatenate([p.data for p in model.parameters() if not p.regularized])
    w = np.concatenate([p.data.ravel() for p in model.parameters() if p.regularized])
    return {"train_J": h.train_data_loss[-1], "test_loss": loss, "test_accuracy": acc,
            "mean_abs_b": float(np.mean(np.abs(b))), "norm_W": float(np.linalg.norm(w))}


def run(config, seeds):
    return {"bias-variance": bias_variance, "nr.fit check": fit_check, "network": network}[config["part"]](config, seeds)


def make_study(args):
    pens = lambda alphas: [(a, p) for a in alphas for p in (False, True) if a > 0 or not p]   # noqa: E731
    sets, steps = (200, 300) if args.quick else (2000, args.steps)
    configs = [{"part": "bias-variance", "alpha": a, "penalize_bias": p, "sets": sets} for a, p in
               pens((0.0, 5.0, 20.0, 80.0))]
    configs += [{"part": "nr.fit check", "alpha": 20.0, "penalize_bias": p, "steps": steps} for p in (False, True)]
    n_train, n_test, epochs = (1000, 500, 2) if args.quick else (args.n_train, args.n_test, args.epochs)
    configs += [{"part": "network", "alpha": a, "penalize_bias": p, "data": args.data, "n_train": n_train,
                 "n_test": n_test, "epochs": epochs} for a, p in pens((0.0, 1e-3, 1e-2))]
    return st.Study("bias_penalty", run, configs, seeds=args.seeds)


PARTS = [("bias-variance", f"1. y = {B_TRUE:g} + x.w + N(0, {SIGMA:g}), d = {D}, n = {N} per training set, 500 test "
          "points; test MSE = bias^2 + variance + noise variance", ["bias2", "variance", "test_mse", "mean_b", "var_b"]),
         ("nr.fit check", "   the same with nr.fit and nr.L2(alpha / n, include_biases=...) on one training set",
          ["b_fit", "b_closed_form", "max_difference"]),
         ("network", "2. The seed network, SGD lr=0.01 momentum 0.9, batch 64",
          ["train_J", "test_loss", "test_accuracy", "mean_abs_b", "norm_W"])]


def report(result, args):
    for part, title, metrics in PARTS:
        recs = [e for e in result.records if e["config"]["part"] == part]
        if recs:
            print("\n" + title)
            cli.print_table(st.aggregate(recs, metrics), metrics)
    recs = [e for e in result.records if e["config"]["part"] == "bias-variance" and e["config"]["alpha"] > 0]
    if len(result.study.seeds) >= 2 and recs and result.complete:
        diffs = st.paired_differences(recs, "variance", "penalize_bias", False)
        print("\npenalizing b as well, against W only, the same problems (paired): variance")
        print("\n".join(st.format_differences(diffs)))


def add_arguments(ap):
    ap.add_argument("--n-train", type=int, default=3000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--steps", type=int, default=3000, help="full-batch steps of the nr.fit check in part 1")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, report=report, seeds=3,
                    show_table=False)


if __name__ == "__main__":
    main()
