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

Each run trains one network and evaluates every rule on it, so the rules
are compared on the same network (paired by seed); the table gives means
± sd over seeds.

    python experiments/mc_dropout_vs_weight_scaling.py                  # embedded font digits
    python experiments/mc_dropout_vs_weight_scaling.py --quick
    python experiments/mc_dropout_vs_weight_scaling.py --data fashion-mnist --seeds 5
"""
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

RULES_HELP = "rule: ws = weight scaling; mc_<mean>_S<S> = Monte-Carlo dropout with S masks"


def scores(P, y, reference):
    nll = float(-np.mean(np.log(np.maximum(P[np.arange(len(y)), y], 1e-300))))
    pred = P.argmax(axis=1)
    return float(np.mean(pred != y)), nll, float(np.mean(pred == reference))


def rules(samples):
    """The rules' names: weight scaling, then each S with both means."""
    return ["ws"] + [f"mc_{mean}_S{S}" for S in samples for mean in ("arithmetic", "geometric")]


def run(config, seeds):
    """Train the seed network with dropout; every test-time rule's error, NLL, agreement and time."""
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    model = nr.mlp(seed=seeds.model)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=config["epochs"],
           batch_size=64, seed=seeds.shuffle, verbose=False)
    t0 = time.perf_counter()
    P = nr.softmax(nr.predict(model, Xt).astype(np.float64))
    out, ref = {}, P.argmax(axis=1)
    masks = np.random.SeedSequence(seeds.noise).spawn(len(config["samples"]))
    for name in rules(config["samples"]):
        if name != "ws":
            _, mean, S = name.split("_")
            S = int(S[1:])
            t0 = time.perf_counter()
            seed = int(masks[config["samples"].index(S)].generate_state(1)[0])
            P = nr.mc_dropout_predict(model, Xt, samples=S, mean=mean, seed=seed)
        t = time.perf_counter() - t0
        out[f"{name}_error"], out[f"{name}_nll"], out[f"{name}_same"] = scores(P, yt, ref)
        out[f"{name}_seconds"] = t
    return out


def make_study(args):
    n_train, n_test, epochs = (2000, 1000, 3) if args.quick else (args.n_train, args.n_test, args.epochs)
    samples = [1, 10] if args.quick else args.samples
    config = {"data": args.data, "n_train": n_train, "n_test": n_test, "epochs": epochs, "samples": samples}
    return st.Study("mc_dropout_vs_weight_scaling", run, [config], seeds=args.seeds)


def report(result, args):
    """The rules' table: mean over seeds of each rule's error, NLL, agreement with weight scaling, time."""
    if not result.records:
        return
    names = rules(result.study.configs[0]["samples"])
    row = st.aggregate(result.records)[0]
    print(f"\n{'test-time rule':<34} {'S':>4} {'error':>16} {'NLL':>16} {'same as w.s.':>13} {'time':>8}")
    for name in names:
        label, S = ("weight scaling (model.eval())", "-") if name == "ws" else \
            (f"MC dropout, {name.split('_')[1]} mean", name.split("_S")[1])
        m = lambda k: f"{row[f'{name}_{k}_mean']:.4f} ± {row[f'{name}_{k}_std']:.4f}"  # noqa: E731
        print(f"{label:<34} {S:>4} {m('error'):>16} {m('nll'):>16} {row[f'{name}_same_mean']:>13.4f} "
              f"{row[f'{name}_seconds_mean']:>7.3f}s")
    if len(result.study.seeds) >= 2:
        best = min(names[1:], key=lambda n: row[f"{n}_error_mean"])
        rec = [{"config": {"rule": n}, "seed": e["seed"], "record": {"error": e["record"][f"{n}_error"]}}
               for e in result.records for n in ("ws", best)]
        d = st.paired_difference(rec, "error", {"rule": "ws"}, {"rule": best})
        print("\n" + st.format_differences([d])[0] + "   (the best Monte-Carlo rule against weight scaling)")


def add_arguments(ap):
    ap.add_argument("--n-train", type=int, default=10000)
    ap.add_argument("--n-test", type=int, default=5000)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--samples", type=int, nargs="+", default=[1, 2, 5, 10, 30, 100])


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments,
                    metrics=["ws_error", "ws_nll"], report=report, seeds=2)


if __name__ == "__main__":
    main()
