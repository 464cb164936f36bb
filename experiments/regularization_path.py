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

    python experiments/regularization_path.py [--data fashion-mnist] [--out path.png]

Scaling: ``nr.MSELoss`` is ``J = (1/n) ||Xw - y||^2`` while ``analysis.ridge`` /
``lasso`` use the seed's ``(Xw - y)^T (Xw - y)``, so a penalty weight ``a``
in ``fit`` corresponds to ``alpha = n a`` there, and ``H = 2 X^T X / n``.
"""
import argparse

import numpy as np

import numreg as nr
from numreg import analysis


def centre_pixel_problem(args):
    if args.data == "fashion-mnist":
        (X, y), _ = nr.data.load_fashion_mnist()
        X, _ = nr.data.subsample(X, y, args.n, seed=args.seed)
    else:
        (X, _), _ = nr.data.load_font_digits(n_train=args.n, n_test=10, seed=args.seed)
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n", type=int, default=2000, help="images for the centre-pixel regression")
    ap.add_argument("--steps", type=int, default=3000, help="full-batch gradient steps for the trained models")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="regularization_path.png", help="figure of the real-data path ('' : none)")
    args = ap.parse_args()
    np.set_printoptions(precision=3, suppress=True, linewidth=120)

    print("1. Correlated regression (Tibshirani 1996: w_true = (3, 1.5, 0, 0, 2, 0, 0, 0), rho = 0.8, n = 100)")
    X, y, w_true = analysis.make_correlated_regression(n=100, d=8, rho=0.8, seed=args.seed)
    a_max = float(np.max(np.abs(2 * X.T @ y)))
    print(f"   lasso: every coefficient is 0 for alpha >= alpha_max = max|2 X^T y| = {a_max:.1f}")
    print(f"   {'alpha':>8}  {'lasso w':<52} zeros | {'ridge w':<52} zeros")
    for a in (1.0, 30.0, 150.0, 400.0, 0.9 * a_max):
        wl, wr = analysis.lasso(X, y, a), analysis.ridge(X, y, a)
        print(f"   {a:>8.1f}  {np.array2string(wl, precision=2):<52} {np.sum(wl == 0):>5} | "
              f"{np.array2string(wr, precision=2):<52} {np.sum(wr == 0):>5}")

    Xr, yr = centre_pixel_problem(args)
    n, d = Xr.shape
    C = np.corrcoef(Xr.T)
    off = C[~np.eye(d, dtype=bool)]
    print(f"\n2. Centre pixel from its 24 neighbours ({args.data}, n = {n}): feature correlations "
          f"median {np.median(off):.2f}, max {off.max():.2f}")
    H_fit = 2 * Xr.T @ Xr / n
    lam = np.linalg.eigvalsh(H_fit)
    print(f"   H = 2 X^T X / n: eigenvalues from {lam.min():.2e} to {lam.max():.2e} (condition {lam.max() / lam.min():.0f})")
    print(f"   closed form vs independent solver (max |difference| of the coefficients):")
    print(f"   {'alpha':>10} {'ridge vs lstsq':>15} {'lasso vs L-BFGS-B':>18} {'lasso zeros':>12} {'objective gap':>14}")
    scale = float(np.max(np.abs(2 * Xr.T @ yr)))
    for frac in (1e-4, 1e-3, 1e-2, 1e-1, 0.5):
        a = frac * scale
        wr = analysis.ridge(Xr, yr, a)
        wl = analysis.lasso(Xr, yr, a)
        wl2 = independent_lasso(Xr, yr, a)
        obj = lambda w: np.sum((Xr @ w - yr) ** 2) + a * np.abs(w).sum()
        print(f"   {a:>10.4g} {np.max(np.abs(wr - independent_ridge(Xr, yr, a))):>15.1e} "
              f"{np.max(np.abs(wl - wl2)):>18.1e} {np.sum(wl == 0):>12} {obj(wl2) - obj(wl):>14.1e}")

    print(f"\n   nr.fit (full batch, SGD, {args.steps} steps, MSELoss) against the closed forms, fit alpha a <-> n a:")
    for a in (1e-3, 1e-2):
        w_fit = train_linear(Xr, yr, args.steps, lr=1.0 / (lam.max() + a), penalties=[nr.L2(a)])
        w_cf = analysis.ridge(Xr, yr, n * a)
        print(f"   {f'L2 a={a:g}:':<17} max |w_fit - ridge(X, y, n a)| = {np.max(np.abs(w_fit - w_cf)):.1e} "
              f"(|w| up to {np.max(np.abs(w_cf)):.2f})")
    for a in (1e-3, 1e-2):
        w_fit = train_linear(Xr, yr, args.steps, lr=1.0 / lam.max(), penalties=[nr.L1(a, method="prox")])
        w_cf = analysis.lasso(Xr, yr, n * a)
        same = np.array_equal(w_fit == 0, w_cf == 0)
        print(f"   {f'L1-prox a={a:g}:':<17} max |w_fit - lasso(X, y, n a)| = {np.max(np.abs(w_fit - w_cf)):.1e}, "
              f"zeros {np.sum(w_fit == 0)} vs {np.sum(w_cf == 0)} ({'same' if same else 'different'} pattern)")

    print("\n3. Penalty/constraint duality (§7.2) on the same data: min J s.t. ||w|| <= k")
    w_star = np.linalg.lstsq(Xr, yr, rcond=None)[0]
    print(f"   ||w*|| = {np.linalg.norm(w_star):.3f}")
    print(f"   {'k':>6} {'alpha*':>10} {'||w~(alpha*)||':>15} {'|PGD - w~(alpha*)|':>19} {'|L2(alpha*) fit - w~|':>22}")
    for k in (0.25, 0.5, 2 * np.linalg.norm(w_star)):
        a_star = analysis.constrained_alpha(H_fit, w_star, k)
        w_t = analysis.l2_shrinkage(H_fit, w_star, a_star)
        w_pgd = train_linear(Xr, yr, args.steps, lr=1.0 / lam.max(), constraints=[nr.NormBall(k)])
        w_pen = train_linear(Xr, yr, args.steps, lr=1.0 / (lam.max() + a_star), penalties=[nr.L2(a_star)])
        print(f"   {k:>6.3f} {a_star:>10.4g} {np.linalg.norm(w_t):>15.4f} {np.max(np.abs(w_pgd - w_t)):>19.1e} "
              f"{np.max(np.abs(w_pen - w_t)):>22.1e}")
    print("   (alpha* = 0 when w* is inside the ball; there the unpenalized fit converges only as fast as "
          "the smallest eigenvalue allows.)")

    if args.out:
        fig = nr.plots.regularization_path(Xr, yr)
        fig.suptitle(f"Centre pixel from its 24 neighbours ({args.data}, n = {n})")
        fig.savefig(args.out, dpi=100)
        print(f"\nfigure written to {args.out}")


if __name__ == "__main__":
    main()
