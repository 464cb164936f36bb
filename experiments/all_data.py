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

All three see the same sub-sample, split and first round (the same run
seed: the method is the only difference, and the records check that
``i*`` agrees). The table gives the mean test loss and accuracy over the
seeds, and the optimizer steps each method took in all; then each
algorithm against plain early stopping, paired by seed.

    python experiments/all_data.py [--quick] [--data font-digits|fashion-mnist] [--executor dask]
"""
import os
import warnings

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):   # small matrices: one thread
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.data import train_valid_split  # noqa: E402
from numreg.study import cli  # noqa: E402

METHODS = ("plain early stopping (7.1)", "retrain, i* steps (7.2)", "continue to epsilon (7.3)")
BATCH = 64


def sample(config, seeds):
    """The run's training set: ``n_train`` examples of the pool, drawn from its split stream."""
    (Xp, yp), test = st.dataset(config["data"], 6000 if config["data"] == "font-digits" else None, 2000)
    pick = np.random.default_rng(seeds.split).permutation(len(Xp))[:config["n_train"]]
    return (Xp[pick], yp[pick]), test


def run(config, seeds):
    """One method on one sub-sample. ``seeds.shuffle`` seeds the 80/20 split and the batch order, as
    ``nr.retrain_on_all_data(seed=)`` does, so the first round is the same for the three methods."""
    (X, y), (Xt, yt) = sample(config, seeds)
    p, s, crit = config["patience"], seeds.shuffle, nr.SoftmaxCrossEntropy()
    factory = lambda: nr.mlp(seed=seeds.model)   # noqa: E731 -- called twice by Algorithms 7.2 and 7.3
    kw = dict(p=p, batch_size=BATCH, max_epochs=200, seed=s)
    every = -(-int(round(0.8 * len(X))) // BATCH)
    if config["method"] == METHODS[0]:
        (Xs, ys), (Xv, yv) = train_valid_split(X, y, 0.2, s)
        model = factory()
        es = nr.EarlyStopping(patience=p, every=-(-len(Xs) // BATCH), unit="step")
        nr.fit(model, crit, nr.Adam(model.parameters()), (Xs, ys), (Xv, yv), epochs=200, batch_size=BATCH,
               callbacks=[es], seed=s, verbose=False)
        i_star, steps, extra = es.best_step, es.best_step + p * es.every, {}
    elif config["method"] == METHODS[1]:
        model, r = nr.retrain_on_all_data(factory, X, y, **kw)
        i_star, steps, extra = r.i_star, r.i_star + p * every + r.steps, {}
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # a step limit hit is recorded instead
            model, r = nr.continue_on_all_data(factory, X, y, **kw)
        i_star, steps, extra = r.i_star, r.i_star + p * every + r.steps, {"epsilon": r.epsilon,
                                                                          "reached": bool(r.reached)}
    loss, acc = nr.evaluate(model, crit, Xt, yt)
    return {"test_loss": loss, "test_accuracy": acc, "steps": steps, "i_star": i_star, **extra}


def make_study(args):
    sizes = [500] if args.quick else [500, 2000]
    configs = [{"n_train": n, "method": m, "data": args.data, "patience": args.patience}
               for n in sizes for m in METHODS]
    return st.Study("all_data", run, configs, seeds=args.seeds)


def report(result, args):
    by_run = {}
    for e in result.records:
        by_run.setdefault((e["config"]["n_train"], e["seed"]), set()).add(e["record"]["i_star"])
    same = all(len(v) == 1 for v in by_run.values())
    print(f"\nthe same first round (i*) for the three methods of each sub-sample and seed: {same}")
    if len(result.study.seeds) >= 2 and result.complete:
        diffs = [d for m in ("test_accuracy", "test_loss")
                 for d in st.paired_differences(result.records, m, "method", METHODS[0])]
        print("against plain early stopping, same sub-sample, split and seed (paired):")
        print("\n".join(st.format_differences(diffs)))
    print("(steps include the first round's p evaluations past i*)")


def add_arguments(ap):
    ap.add_argument("--patience", type=int, default=5, help="p of Algorithm 7.1, in evaluations (default 5)")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments,
                    metrics=["test_loss", "test_accuracy", "steps"], report=report, seeds=3)


if __name__ == "__main__":
    main()
