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

    python experiments/bias_penalty.py [--data fashion-mnist]
"""
import argparse

import numpy as np

import numreg as nr


def ridge_with_intercept(X, y, alpha, penalize_bias):
    """argmin ||X w + b - y||^2 + alpha/2 (||w||^2 [+ b^2]) in closed form; returns (w, b)."""
    Z = np.hstack([X, np.ones((len(X), 1))])
    D = np.eye(Z.shape[1])
    if not penalize_bias:
        D[-1, -1] = 0.0
    theta = np.linalg.solve(Z.T @ Z + alpha / 2 * D, Z.T @ y)
    return theta[:-1], theta[-1]


def part1(args):
    rng = np.random.default_rng(args.seed)
    d, n, sigma, b_true = 10, 25, 1.0, 5.0
    w_true = rng.standard_normal(d) * 0.5
    X_test = rng.standard_normal((500, d))
    f_test = X_test @ w_true + b_true                      # the true regression function
    R = 2000
    print(f"1. y = {b_true:g} + x.w + N(0, {sigma:g}), d = {d}, n = {n} per training set, {R} training sets, "
          f"500 test points")
    print(f"   {'alpha':>6} {'penalized':<14} {'bias^2':>8} {'variance':>9} {'test MSE':>9} {'mean b':>7} "
          f"{'var of b':>9}")
    sets = [(Xs := rng.standard_normal((n, d)), Xs @ w_true + b_true + sigma * rng.standard_normal(n))
            for _ in range(R)]
    table = {}
    for alpha in (0.0, 5.0, 20.0, 80.0):
        for pen_b in (False, True):
            if alpha == 0 and pen_b:
                continue
            preds, bs = [], []
            for Xs, ys in sets:
                w, b = ridge_with_intercept(Xs, ys, alpha, pen_b)
                preds.append(X_test @ w + b)
                bs.append(b)
            P = np.array(preds)                            # (R, 500)
            bias2 = np.mean((P.mean(axis=0) - f_test) ** 2)
            var = np.mean(P.var(axis=0))
            table[alpha, pen_b] = (bias2, var)
            label = "none" if alpha == 0 else ("W and b" if pen_b else "W only")
            print(f"   {alpha:>6g} {label:<14} {bias2:>8.4f} {var:>9.4f} {bias2 + var + sigma ** 2:>9.4f} "
                  f"{np.mean(bs):>7.3f} {np.var(bs):>9.4f}")
    alphas = [a for a in (5.0, 20.0, 80.0)]
    more_bias = all(table[a, True][0] > table[a, False][0] for a in alphas)
    dvar = [table[a, True][1] - table[a, False][1] for a in alphas]
    print("   test MSE = bias^2 + variance + noise variance.")
    print(f"   Penalizing b {'adds bias^2 at every alpha' if more_bias else 'does not always add bias^2'} "
          f"(the intercept is dragged towards 0, see 'mean b'),")
    if all(v > 0 for v in dvar):
        print("   and it does not even buy variance: the variance is higher at every alpha, because the weights"
              " then try to\n   explain the missing intercept through the sample mean of x, which changes"
              " from one training set to the next.")
    else:
        print(f"   for a change of variance of {', '.join(f'{v:+.3f}' for v in dvar)} at alpha = "
              f"{', '.join(f'{a:g}' for a in alphas)}.")

    # the same with nr.fit: nr.MSELoss is a mean, so fit's alpha a <-> closed-form alpha n a
    Xs, ys = sets[0]
    a = 20.0 / n
    for pen_b in (False, True):
        model = nr.Sequential(nr.Linear(d, 1), seed=0).astype(np.float64)
        lam = np.linalg.eigvalsh(2 * np.hstack([Xs, np.ones((n, 1))]).T @ np.hstack([Xs, np.ones((n, 1))]) / n)
        nr.fit(model, nr.MSELoss(), nr.SGD(model.parameters(), lr=1.0 / (lam.max() + a)), (Xs, ys),
               epochs=args.steps, batch_size=n, penalties=[nr.L2(a, include_biases=pen_b)], seed=0, verbose=False)
        w, b = ridge_with_intercept(Xs, ys, a * n, pen_b)
        err = max(np.max(np.abs(model[0].W.data[:, 0] - w)), abs(model[0].b.data[0] - b))
        print(f"   nr.fit with nr.L2({a:g}, include_biases={pen_b}): b = {model[0].b.data[0]:.4f}, "
              f"closed form b = {b:.4f}, max |difference| = {err:.1e}")


def load(args):
    if args.data == "fashion-mnist":
        (X, y), (Xt, yt) = nr.data.load_fashion_mnist()
        return (nr.data.subsample(X, y, args.n_train, seed=args.seed),
                nr.data.subsample(Xt, yt, args.n_test, seed=args.seed))
    return nr.data.load_font_digits(n_train=args.n_train, n_test=args.n_test, seed=args.seed)


def part2(args):
    (X, y), (Xt, yt) = load(args)
    model = nr.mlp(seed=args.seed)
    nw = sum(p.size for p in model.parameters() if p.regularized)
    nb = sum(p.size for p in model.parameters() if not p.regularized)
    print(f"\n2. Seed network on {args.data} ({len(X)} training / {len(Xt)} test examples), {nw} weights, "
          f"{nb} biases; SGD lr=0.01 momentum 0.9, batch 64, {args.epochs} epochs")
    print(f"   {'alpha':>6} {'penalized':<10} {'train J':>8} {'test loss':>9} {'test acc':>8} {'mean|b|':>8} "
          f"{'||W||':>7}")
    for alpha in (0.0, 1e-3, 1e-2):
        for pen_b in (False, True):
            if alpha == 0 and pen_b:
                continue
            model = nr.mlp(seed=args.seed)
            opt = nr.SGD(model.parameters(), lr=0.01, momentum=0.9)
            h = nr.fit(model, nr.SoftmaxCrossEntropy(), opt, (X, y), epochs=args.epochs, batch_size=64,
                       penalties=[nr.L2(alpha, include_biases=pen_b)], seed=args.seed, verbose=False)
            loss, acc = nr.evaluate(model, nr.SoftmaxCrossEntropy(), Xt, yt)
            b = np.concatenate([p.data for p in model.parameters() if not p.regularized])
            w = np.concatenate([p.data.ravel() for p in model.parameters() if p.regularized])
            label = "none" if alpha == 0 else ("W and b" if pen_b else "W only")
            print(f"   {alpha:>6g} {label:<10} {h.train_data_loss[-1]:>8.4f} {loss:>9.4f} {acc:>8.4f} "
                  f"{np.mean(np.abs(b)):>8.4f} {np.linalg.norm(w):>7.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=3000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--steps", type=int, default=3000, help="full-batch steps of the nr.fit check in part 1")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    part1(args)
    part2(args)


if __name__ == "__main__":
    main()
