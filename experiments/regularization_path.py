"""Regularization paths, the closed forms against an independent solver, and training against theory.

1. Tibshirani's correlated regression (``nr.analysis.make_correlated_regression``):
   lasso and ridge coefficients along alpha -- L1 zeroes coefficients one
   by one, L2 shrinks all and zeroes none.
2. A real regression with strongly correlated features: predict an image's
   centre pixel from the 24 other pixels of the 5x5 patch around it
   (embedded font digits by default, ``--data fashion-mnist`` for the real thing).
   ``nr.analysis.ridge`` / ``lasso`` are compared with an independent
   solver (least squares on an augmented system; SciPy's L-BFGS-B on the
   split ``w = u - v``, ``u, v >= 0``), and a linear model trained by
   ``nr.fit`` with ``nr.L2`` / ``nr.L1`` (prox) is compared with them.
3. §7.2's duality on the same data: ``alpha* = constrained_alpha(H, w*, k)``
   and projected gradient descent with ``nr.NormBall(k)`` reach the same point.

Parts 2 and 3 are a study: each check (an alpha, a penalty weight, a radius
k) is one configuration, each seed one random sample of ``--n`` images, and
the tables give mean ± sd over the samples.

    python experiments/regularization_path.py [--quick] [--data fashion-mnist] [--figure path.png]

Scaling: ``nr.MSELoss`` is ``J = (1/n) ||Xw - y||^2`` while ``analysis.ridge`` /
``lasso`` use the seed's ``(Xw - y)^T (Xw - y)``, so a penalty weight ``a``
in ``fit`` corresponds to ``alpha = n a`` there, and ``H = 2 X^T X / n``.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import analysis  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

FRACTIONS = (1e-4, 1e-3, 1e-2, 1e-1, 0.5)


def centre_pixel_problem(config, seed):
    """``(X, y)``: the centre pixel of ``n`` images (a random sample of a pool of 4n) from its 24 neighbours."""
    (X, _), _ = st.dataset(config["data"], 4 * config["n"], 10)
    X = X[np.random.default_rng(seed).permutation(len(X))[:config["n"]]]
    patch = X[:, 12:17, 12:17].reshape(len(X), 25).astype(np.float64)
    target = patch[:, 12].copy()                       # pixel (14, 14)
    feats = np.delete(patch, 12, axis=1)               # its 24 neighbours in the 5x5 patch
    feats -= feats.mean(axis=0)
    target -= target.mean()
    return feats, target


def independent_ridge(X, y, alpha):
    """Least squares on [X; sqrt(alpha/2) I] w = [y; 0]: minimizes ||Xw - y||^2 + alpha/2 ||w||^2."""
    d = X.shape[1]
    A = np.vstack([X, np.sqrt(alpha / 2) * np.eye(d)])
    return np.linalg.lstsq(A, np.concatenate([y, np.zeros(d)]), rcond=None)[0]


def independent_lasso(X, y, alpha):
    from scipy.optimize import minimize
    d = X.shape[1]

    def f(z):
        r = X @ (z[:d] - z[d:]) - y
        g = 2 * X.T @ r
        return r @ r + alpha * z.sum(), np.concatenate([g + alpha, alpha - g])

    res = minimize(f, np.zeros(2 * d), jac=True, method="L-BFGS-B", bounds=[(0, None)] * (2 * d),
                   options=dict(ftol=1e-16, gtol=1e-12, maxiter=50000, maxcor=30))
    return res.x[:d] - res.x[d:]


def train_linear(X, y, steps, lr, **kw):
    model = nr.Sequential(nr.Linear(X.shape[1], 1, bias=False), seed=0).astype(np.float64)
    model[0].W.data[...] = 0
    nr.fit(model, nr.MSELoss(), nr.SGD(model.parameters(), lr=lr), (X, y), epochs=steps, batch_size=len(X),
           seed=0, verbose=False, **kw)
    return model[0].W.data[:, 0].copy()


def closed_forms(X, y, c):
    """Ridge and lasso at ``alpha = fraction * max|2 X^T y|`` against the independent solvers."""
    a = c["fraction"] * float(np.max(np.abs(2 * X.T @ y)))
    wl, wl2 = analysis.lasso(X, y, a), independent_lasso(X, y, a)
    obj = lambda w: np.sum((X @ w - y) ** 2) + a * np.abs(w).sum()   # noqa: E731
    return {"alpha": a, "ridge_vs_lstsq": float(np.max(np.abs(analysis.ridge(X, y, a) - independent_ridge(X, y, a)))),
            "lasso_vs_lbfgsb": float(np.max(np.abs(wl - wl2))), "lasso_zeros": int(np.sum(wl == 0)),
            "objective_gap": float(obj(wl2) - obj(wl))}


def fitted(X, y, c, lam_max):
    """A linear model trained by nr.fit with L2 or L1 (prox) weight a against ridge / lasso at n a."""
    a, n = c["a"], len(X)
    if c["check"] == "fit L2":
        w_fit = train_linear(X, y, c["steps"], lr=1.0 / (lam_max + a), penalties=[nr.L2(a)])
        w_cf = analysis.ridge(X, y, n * a)
    else:
        w_fit = train_linear(X, y, c["steps"], lr=1.0 / lam_max, penalties=[nr.L1(a, method="prox")])
        w_cf = analysis.lasso(X, y, n * a)
    return {"fit_vs_closed_form": float(np.max(np.abs(w_fit - w_cf))), "max_abs_w": float(np.max(np.abs(w_cf))),
            "zeros_fit": int(np.sum(w_fit == 0)), "zeros_closed_form": int(np.sum(w_cf == 0)),
            "same_zero_pattern": int(np.array_equal(w_fit == 0, w_cf == 0))}


def duality(X, y, c, H, lam_max):
    """§7.2: alpha* of the radius k, and projected gradient descent with NormBall(k) against w~(alpha*)."""
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    k = c["k"] if c["k"] > 0 else 2 * np.linalg.norm(w_star)       # k = 0: twice ||w*|| (w* inside the ball)
    a_star = analysis.constrained_alpha(H, w_star, k)
    w_t = analysis.l2_shrinkage(H, w_star, a_star)
    w_pgd = train_linear(X, y, c["steps"], lr=1.0 / lam_max, constraints=[nr.NormBall(k)])
    w_pen = train_linear(X, y, c["steps"], lr=1.0 / (lam_max + a_star), penalties=[nr.L2(a_star)])
    return {"alpha_star": float(a_star), "norm_w_tilde": float(np.linalg.norm(w_t)),
            "pgd_vs_w_tilde": float(np.max(np.abs(w_pgd - w_t))), "l2_fit_vs_w_tilde": float(np.max(np.abs(w_pen - w_t)))}


def run(config, seeds):
    """One check on one random sample of the centre-pixel regression."""
    X, y = centre_pixel_problem(config, seeds.split)
    H = 2 * X.T @ X / len(X)
    lam_max = float(np.linalg.eigvalsh(H).max())
    if config["check"] == "closed forms":
        return closed_forms(X, y, config)
    if config["check"].startswith("fit"):
        return fitted(X, y, config, lam_max)
    return duality(X, y, config, H, lam_max)


def make_study(args):
    steps = 300 if args.quick else args.steps
    common = {"data": args.data, "n": 500 if args.quick else args.n, "steps": steps}
    configs = [{"check": "closed forms", "fraction": f, **common} for f in FRACTIONS]
    configs += [{"check": chk, "a": a, **common} for chk in ("fit L2", "fit L1-prox") for a in (1e-3, 1e-2)]
    configs += [{"check": "duality", "k": k, **common} for k in (0.25, 0.5, 0.0)]
    return st.Study("regularization_path", run, configs, seeds=args.seeds)


def tibshirani(seed=0):
    """Part 1: lasso and ridge coefficients along alpha on Tibshirani's correlated regression."""
    np.set_printoptions(precision=3, suppress=True, linewidth=120)
    print("\n1. Correlated regression (Tibshirani 1996: w_true = (3, 1.5, 0, 0, 2, 0, 0, 0), rho = 0.8, n = 100)")
    X, y, _ = analysis.make_correlated_regression(n=100, d=8, rho=0.8, seed=seed)
    a_max = float(np.max(np.abs(2 * X.T @ y)))
    print(f"   lasso: every coefficient is 0 for alpha >= alpha_max = max|2 X^T y| = {a_max:.1f}")
    print(f"   {'alpha':>8}  {'lasso w':<52} zeros | {'ridge w':<52} zeros")
    for a in (1.0, 30.0, 150.0, 400.0, 0.9 * a_max):
        wl, wr = analysis.lasso(X, y, a), analysis.ridge(X, y, a)
        print(f"   {a:>8.1f}  {np.array2string(wl, precision=2):<52} {np.sum(wl == 0):>5} | "
              f"{np.array2string(wr, precision=2):<52} {np.sum(wr == 0):>5}")


PARTS = [("closed forms", "2. Centre pixel from its 24 neighbours: closed forms against independent solvers "
          "(max |difference| of the coefficients)", ["alpha", "ridge_vs_lstsq", "lasso_vs_lbfgsb", "lasso_zeros",
                                                     "objective_gap"]),
         ("fit", "   nr.fit (full batch, SGD, MSELoss) against the closed forms, fit weight a <-> alpha = n a",
          ["fit_vs_closed_form", "max_abs_w", "zeros_fit", "zeros_closed_form", "same_zero_pattern"]),
         ("duality", "3. Penalty/constraint duality (§7.2): min J s.t. ||w|| <= k (k = 0 here: 2 ||w*||)",
          ["alpha_star", "norm_w_tilde", "pgd_vs_w_tilde", "l2_fit_vs_w_tilde"])]


def report(result, args):
    tibshirani()
    for prefix, title, metrics in PARTS:
        recs = [e for e in result.records if e["config"]["check"].startswith(prefix)]
        if recs:
            print("\n" + title)
            cli.print_table(st.aggregate(recs, metrics), metrics)
    print("   (alpha* = 0 when w* is inside the ball; there the unpenalized fit converges only as fast as "
          "the smallest eigenvalue allows.)")
    if args.figure:
        config = result.study.configs[0]
        X, y = centre_pixel_problem(config, st.run_seeds(result.study.seeds[0]).split)
        fig = nr.plots.regularization_path(X, y)
        fig.suptitle(f"Centre pixel from its 24 neighbours ({args.data}, n = {len(X)})")
        fig.savefig(args.figure, dpi=100)
        print(f"\nfigure written to {args.figure}")


def add_arguments(ap):
    ap.add_argument("--n", type=int, default=2000, help="images for the centre-pixel regression")
    ap.add_argument("--steps", type=int, default=3000, help="full-batch gradient steps for the trained models")
    ap.add_argument("--figure", default=None, help="figure of the real-data path (first seed's sample) to this PNG")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, report=report, seeds=2,
                    show_table=False)


if __name__ == "__main__":
    main()
