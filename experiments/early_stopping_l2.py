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

Each tau is one configuration of a study and each seed one random
regression problem (``make_correlated_regression``), so the table gives
mean ± sd over problems (``--data`` is not used: the problems are synthetic).

    python experiments/early_stopping_l2.py --quick --seeds 3
"""
import numpy as np

import numreg as nr
from numreg import study as st
from numreg.study import cli

TAUS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
METRICS = ["alpha", "norm_w_tau", "norm_w_tilde", "distance", "relative_distance", "exact_alpha_min",
           "exact_alpha_max", "gd_vs_eq_7_40", "eq_7_13_vs_solve"]


def gradient_descent(X, y, epsilon, tau):
    """``tau`` full-batch steps of the seed notebook's loop from w(0) = 0; returns w(tau)."""
    model = nr.Sequential(nr.Linear(X.shape[1], 1, bias=False), seed=0).astype(np.float64)
    model[0].W.data[...] = 0.0
    criterion, optimizer, target = nr.MSELoss(), nr.SGD(model.parameters(), lr=epsilon), y[:, None]
    model.train()
    for _ in range(tau):
        optimizer.zero_grad()
        output = model(X)
        loss = criterion(output, target)       # noqa: F841 -- the seed's line; the value is not needed
        model.backward(criterion.backward())
        optimizer.step()
    return model[0].W.data[:, 0].copy()


def run(config, seeds):
    """One problem, one tau: w(tau) by gradient descent against w~(alpha = 1/(tau epsilon)) and Eq. 7.40."""
    X, y, _ = nr.analysis.make_correlated_regression(n=config["n"], d=config["d"], rho=config["rho"], seed=seeds.split)
    n, d = X.shape
    H = 2.0 / n * X.T @ X                           # Hessian of J(w) = 1/n ||Xw - y||^2
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    epsilon = config["epsilon_scale"] / np.linalg.eigvalsh(H).max()
    tau = config["tau"]
    w_tau = gradient_descent(X, y, epsilon, tau)
    alpha = nr.analysis.early_stopping_alpha(epsilon, tau)
    w_tilde = nr.analysis.l2_shrinkage(H, w_star, alpha)
    exact = nr.analysis.early_stopping_alpha(epsilon, tau, H=H)      # alpha_i that would match exactly
    return {"alpha": alpha, "norm_w_tau": float(np.linalg.norm(w_tau)), "norm_w_tilde": float(np.linalg.norm(w_tilde)),
            "distance": float(np.linalg.norm(w_tau - w_tilde)),
            "relative_distance": float(np.linalg.norm(w_tau - w_tilde) / np.linalg.norm(w_star)),
            "exact_alpha_min": float(exact.min()), "exact_alpha_max": float(exact.max()),
            "gd_vs_eq_7_40": float(np.abs(w_tau - nr.analysis.early_stopping_trajectory(H, w_star, epsilon, tau)).max()),
            "eq_7_13_vs_solve": float(np.abs(w_tilde - np.linalg.solve(H + alpha * np.eye(d), H @ w_star)).max())}


def make_study(args):
    taus = [1, 10, 100, 1000] if args.quick else TAUS
    configs = [{"tau": t, "n": args.n, "d": args.d, "rho": args.rho, "epsilon_scale": args.epsilon_scale}
               for t in taus]
    return st.Study("early_stopping_l2", run, configs, seeds=args.seeds)


def report(result, args):
    print()
    print("Early stopping after tau steps vs L2 with alpha = 1/(tau epsilon) (Eq. 7.45), epsilon = "
          f"{args.epsilon_scale:g} / lambda_max(H): distance = ||w(tau) - w~||, relative = / ||w*||;")
    print("exact_alpha_*: the spread of the alpha_i of Eq. 7.43; gd_vs_eq_7_40: largest difference of the")
    print("numreg-trained w(tau) from the closed form; eq_7_13_vs_solve: Eq. 7.13 against a linear solve.")
    print("The equivalence is exact only where every alpha_i equals 1/(tau epsilon): it holds for directions")
    print("with epsilon lambda_i << 1 and lambda_i << alpha; the spread of alpha_i shows where it does not.")
    if args.figure:
        fig = nr.plots.early_stopping_vs_l2()
        fig.savefig(args.figure, dpi=120)
        print(f"Figure 7.4 written to {args.figure}")


def add_arguments(ap):
    ap.add_argument("--n", type=int, default=200, help="examples (default 200)")
    ap.add_argument("--d", type=int, default=8, help="features (default 8)")
    ap.add_argument("--rho", type=float, default=0.8, help="correlation of neighbouring features (default 0.8)")
    ap.add_argument("--epsilon-scale", type=float, default=0.1,
                    help="learning rate epsilon as a fraction of 1/lambda_max (default 0.1: epsilon lambda_i <= 0.1)")
    ap.add_argument("--figure", default=None, help="also save the book's Figure 7.4 (2-D) to this PNG")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, metrics=METRICS,
                    report=report, seeds=3)


if __name__ == "__main__":
    main()
