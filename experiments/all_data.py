"""Using all the data after early stopping (§7.8): Algorithms 7.2 and 7.3 against plain early stopping.

For each training-set size and seed, the training set is split 80/20 into
sub-training and validation sets, and

- plain early stopping (Algorithm 7.1) trains on the sub-training set and
  keeps ``theta*`` -- the validation examples are never trained on;
- Algorithm 7.2 (``nr.retrain_on_all_data``) notes ``i*``, re-initializes
  and trains on all the training data for ``i*`` steps;
- Algorithm 7.3 (``nr.continue_on_all_data``) notes the sub-training loss
  ``epsilon`` at ``theta*`` and continues on all the data until the
  validation loss falls to ``epsilon`` (at most ``i*`` more steps).

All three see the same split and the same first round (same seed). The
table gives the mean test loss and accuracy over the seeds, and the
optimizer steps each method took in all.

    python experiments/all_data.py [--quick] [--data font-digits|fashion-mnist]
"""
import argparse
import os
import time
import warnings

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):   # small matrices: one thread
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg.data import train_valid_split  # noqa: E402


def load(data, seed=0):
    """``(X_pool, y_pool), (X_test, y_test)`` of the chosen data set."""
    if data == "font-digits":
        if not hasattr(nr.data, "load_font_digits"):
            raise SystemExit("nr.data.load_font_digits is not available in this numreg: use --data fashion-mnist")
        return nr.data.load_font_digits(n_train=6000, n_test=2000, seed=seed)
    (X, y), (Xt, yt) = nr.data.load_fashion_mnist()
    return (X, y), (Xt[:2000], yt[:2000])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=["font-digits", "fashion-mnist"], default="font-digits")
    ap.add_argument("--quick", action="store_true", help="one size, two seeds")
    ap.add_argument("--patience", type=int, default=5, help="p of Algorithm 7.1, in evaluations (default 5)")
    args = ap.parse_args(argv)

    (Xp, yp), (Xt, yt) = load(args.data)
    sizes = [500] if args.quick else [500, 2000]
    seeds = range(2) if args.quick else range(3)
    batch = 64
    crit = nr.SoftmaxCrossEntropy()
    print(f"{args.data}: the seed network (784-128-128-10, dropout 0.5), Adam lr 1e-3, batch {batch}; "
          f"validation every epoch of the sub-training set, patience {args.patience}; test set of {len(Xt)}")
    results = {}
    t0 = time.perf_counter()
    for n in sizes:
        for seed in seeds:
            pick = np.random.default_rng(1000 + seed).permutation(len(Xp))[:n]
            X, y = Xp[pick], yp[pick]

            def factory(seed=seed):
                return nr.mlp(seed=seed)

            # plain early stopping: Algorithm 7.1 on the sub-training set, as the first round of 7.2 / 7.3
            (Xs, ys), (Xv, yv) = train_valid_split(X, y, 0.2, seed)
            m = factory()
            es = nr.EarlyStopping(patience=args.patience, every=-(-len(Xs) // batch), unit="step")
            nr.fit(m, crit, nr.Adam(m.parameters()), (Xs, ys), (Xv, yv), epochs=200, batch_size=batch,
                   callbacks=[es], seed=seed, verbose=False)
            plain = (m, es.best_step + args.patience * es.every, f"i* = {es.best_step}")

            m2, r2 = nr.retrain_on_all_data(factory, X, y, p=args.patience, batch_size=batch, max_epochs=200,
                                            seed=seed)
            first = r2.i_star + args.patience * es.every
            alg72 = (m2, first + r2.steps, f"i* = {r2.i_star}, then {r2.steps} steps")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")         # a step limit hit is shown in the table instead
                m3, r3 = nr.continue_on_all_data(factory, X, y, p=args.patience, batch_size=batch, max_epochs=200,
                                                 seed=seed)
            note = f"eps = {r3.epsilon:.3f}, +{r3.steps} steps" + ("" if r3.reached else " (limit hit)")
            alg73 = (m3, first + r3.steps, note)
            assert r2.i_star == r3.i_star == es.best_step          # the same first round
            for name, (model, steps, info) in (("plain early stopping (7.1)", plain), ("retrain, i* steps (7.2)", alg72),
                                                ("continue to epsilon (7.3)", alg73)):
                loss, acc = nr.evaluate(model, crit, Xt, yt)
                results.setdefault((n, name), []).append((loss, acc, steps))
                print(f"  n={n:<5} seed {seed}  {name:<27} test loss {loss:.4f}  accuracy {acc:.4f}  "
                      f"steps {steps:>5}  ({info})", flush=True)
    print()
    head = f"{'n_train':>7}  {'method':<27} {'test loss':>10} {'test acc.':>10} {'steps':>7} {'vs plain acc.':>14}"
    print(head)
    print("-" * len(head))
    for n in sizes:
        base = np.mean([a for _, a, _ in results[(n, "plain early stopping (7.1)")]])
        for name in ("plain early stopping (7.1)", "retrain, i* steps (7.2)", "continue to epsilon (7.3)"):
            r = np.array(results[(n, name)])
            print(f"{n:>7}  {name:<27} {r[:, 0].mean():>10.4f} {r[:, 1].mean():>10.4f} {r[:, 2].mean():>7.0f} "
                  f"{r[:, 1].mean() - base:>+14.4f}")
    print(f"\n(means over {len(seeds)} seeds; steps include the first round's p evaluations past i*; "
          f"{time.perf_counter() - t0:.0f} s)")
    return results


if __name__ == "__main__":
    main()
