"""Dropout at test time two ways on the seed network (§7.12): weight scaling against Monte-Carlo masks.

The seed network (784-128-128-10, dropout 0.5 after each hidden layer) is
trained with dropout, then evaluated on the test set by

- the **weight-scaling inference rule**: one pass with every unit kept
  (``model.eval()``; inverted dropout already scaled the weights in training);
- **Monte-Carlo dropout**: ``nr.mc_dropout_predict`` with ``S`` sampled
  masks per example, averaging the sub-networks' probabilities
  arithmetically (the ensemble's ``sum_mu p(mu) p(y | x, mu)``) or
  geometrically (renormalized, the mean the book's analysis uses).

The table: test error, negative log-likelihood (mean -log p(y|x)), the
fraction of test examples on which the prediction equals the
weight-scaling one, and the time. The book's claim: for deep networks
weight scaling is an approximation that "performs well empirically":
Goodfellow et al. (2013a) found it better than Monte-Carlo averages of up
to 1,000 sub-networks, while Gal & Ghahramani (2015) found that for some
models the Monte-Carlo average over twenty masks does better.

    python experiments/mc_dropout_vs_weight_scaling.py                  # embedded font digits
    python experiments/mc_dropout_vs_weight_scaling.py --data fashion-mnist
"""
import argparse
import time

import numpy as np

import numreg as nr


def load(args):
    return nr.data.load_dataset(args.data, args.n_train, args.n_test, seed=args.seed)


def scores(P, y, reference):
    nll = float(-np.mean(np.log(np.maximum(P[np.arange(len(y)), y], 1e-300))))
    pred = P.argmax(axis=1)
    return float(np.mean(pred != y)), nll, float(np.mean(pred == reference))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=10000)
    ap.add_argument("--n-test", type=int, default=5000)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--samples", type=int, nargs="+", default=[1, 2, 5, 10, 30, 100])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    (X, y), (Xt, yt) = load(args)
    model = nr.mlp(seed=args.seed)
    t0 = time.perf_counter()
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=args.epochs,
           batch_size=64, seed=args.seed, verbose=False)
    print(f"data: {args.data}; seed network trained with dropout 0.5 on {len(X)} images for {args.epochs} epochs "
          f"({time.perf_counter() - t0:.0f} s); {len(Xt)} test images\n")
    t0 = time.perf_counter()
    P_ws = nr.softmax(nr.predict(model, Xt).astype(np.float64))
    t_ws = time.perf_counter() - t0
    ref = P_ws.argmax(axis=1)
    print(f"{'test-time rule':<34} {'S':>4} {'error':>7} {'NLL':>7} {'same as w.s.':>13} {'time':>8}")
    err, nll, same = scores(P_ws, yt, ref)
    print(f"{'weight scaling (model.eval())':<34} {'-':>4} {err:>7.4f} {nll:>7.4f} {same:>13.4f} {t_ws:>7.3f}s")
    for S in args.samples:
        for mean in ("arithmetic", "geometric"):
            t0 = time.perf_counter()
            P = nr.mc_dropout_predict(model, Xt, samples=S, mean=mean, seed=args.seed + S)
            t = time.perf_counter() - t0
            err, nll, same = scores(P, yt, ref)
            print(f"{'MC dropout, ' + mean + ' mean':<34} {S:>4} {err:>7.4f} {nll:>7.4f} {same:>13.4f} {t:>7.3f}s",
                  flush=True)


if __name__ == "__main__":
    main()
