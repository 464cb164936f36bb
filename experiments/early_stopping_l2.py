"""Early stopping as L2 regularization (§7.8, Eq. 7.40-7.45), on a linear regression problem.

Gradient descent from ``w = 0`` on the mean squared error is run through
numreg (``nr.Linear`` without bias, ``nr.MSELoss``, ``nr.SGD`` on the full
batch, in float64: the seed's loop), and after ``tau`` steps compared with

- the closed form of its trajectory, Eq. 7.40 (``nr.analysis.early_stopping_trajectory``),
- the L2 solution ``w~(alpha)`` of Eq. 7.13 with the book's
  ``alpha = 1/(tau epsilon)`` (Eq. 7.45), computed in the eigenbasis of the
  Hessian (``nr.analysis.l2_shrinkage``) and checked against a direct solve.

For this objective ``J(w) = 1/n ||X w - y||^2``, so ``H = 2/n X^T X`` and
``w_star`` is the least-squares solution. The table shows how far early
stopping after ``tau`` steps is from the L2 solution it imitates, and the
exact per-direction ``alpha_i`` of Eq. 7.43 that would make them equal.

    python experiments/early_stopping_l2.py [--epsilon-scale 0.1] [--figure out.png]
"""
import argparse

import numpy as np

import numreg as nr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="examples (default 200)")
    ap.add_argument("--d", type=int, default=8, help="features (default 8)")
    ap.add_argument("--rho", type=float, default=0.8, help="correlation of neighbouring features (default 0.8)")
    ap.add_argument("--epsilon-scale", type=float, default=0.1,
                    help="learning rate epsilon as a fraction of 1/lambda_max (default 0.1: epsilon lambda_i <= 0.1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--figure", default=None, help="also save the book's Figure 7.4 (2-D) to this PNG")
    args = ap.parse_args(argv)

    X, y, _ = nr.analysis.make_correlated_regression(n=args.n, d=args.d, rho=args.rho, seed=args.seed)
    n, d = X.shape
    H = 2.0 / n * X.T @ X                           # Hessian of J(w) = 1/n ||Xw - y||^2
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    lam = np.linalg.eigvalsh(H)
    epsilon = args.epsilon_scale / lam.max()
    print(f"linear regression: n={n}, d={d}, rho={args.rho}; eigenvalues of H in [{lam.min():.4g}, {lam.max():.4g}]")
    print(f"learning rate epsilon = {epsilon:.4g} (epsilon * lambda_max = {args.epsilon_scale:g}); "
          f"||w*|| = {np.linalg.norm(w_star):.4f}")

    # gradient descent through numreg, as the seed notebook's loop (one full batch per step)
    model = nr.Sequential(nr.Linear(d, 1, bias=False), seed=0).astype(np.float64)
    model[0].W.data[...] = 0.0                      # w(0) = 0
    criterion = nr.MSELoss()
    optimizer = nr.SGD(model.parameters(), lr=epsilon)
    target = y[:, None]
    taus = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
    rows, tau_done = [], 0
    model.train()
    for tau in taus:
        while tau_done < tau:
            optimizer.zero_grad()
            output = model(X)
            loss = criterion(output, target)
            model.backward(criterion.backward())
            optimizer.step()
            tau_done += 1
        w_tau = model[0].W.data[:, 0].copy()
        w_closed = nr.analysis.early_stopping_trajectory(H, w_star, epsilon, tau)
        alpha = nr.analysis.early_stopping_alpha(epsilon, tau)
        w_tilde = nr.analysis.l2_shrinkage(H, w_star, alpha)
        w_solve = np.linalg.solve(H + alpha * np.eye(d), H @ w_star)
        exact = nr.analysis.early_stopping_alpha(epsilon, tau, H=H)      # alpha_i that would match exactly
        rows.append((tau, alpha, np.linalg.norm(w_tau), np.linalg.norm(w_tilde), np.linalg.norm(w_tau - w_tilde),
                     np.linalg.norm(w_tau - w_tilde) / np.linalg.norm(w_star), exact.min(), exact.max(),
                     np.abs(w_tau - w_closed).max(), np.abs(w_tilde - w_solve).max()))

    print()
    print("Early stopping after tau steps vs L2 with alpha = 1/(tau epsilon) (Eq. 7.45)")
    head = (f"{'tau':>6} {'alpha':>10} {'||w(tau)||':>11} {'||w~||':>9} {'||w(tau)-w~||':>14} {'/||w*||':>8} "
            f"{'exact alpha_i (Eq. 7.43)':>26} {'|GD - Eq.7.40|':>15} {'|7.13 - solve|':>15}")
    print(head)
    print("-" * len(head))
    for tau, alpha, nt, nl, diff, rel, amin, amax, e1, e2 in rows:
        print(f"{tau:>6d} {alpha:>10.4g} {nt:>11.4f} {nl:>9.4f} {diff:>14.4f} {rel:>8.3f} "
              f"{amin:>12.4g} .. {amax:<10.4g} {e1:>15.2e} {e2:>15.2e}")
    print()
    print("w(tau) is the numreg-trained weight vector; |GD - Eq.7.40| its largest difference from the closed form.")
    print("The equivalence is exact only where every alpha_i equals 1/(tau epsilon): it holds for directions")
    print("with epsilon lambda_i << 1 and lambda_i << alpha; the spread of alpha_i shows where it does not.")

    if args.figure:
        fig = nr.plots.early_stopping_vs_l2()
        fig.savefig(args.figure, dpi=120)
        print(f"Figure 7.4 written to {args.figure}")
    return rows


if __name__ == "__main__":
    main()
