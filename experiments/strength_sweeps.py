"""Regularization strength sweeps: training and test error against each technique's strength.

The picture behind each notebook's curve (issue "The chapter, demonstrated",
study 3): for every technique below, a 784-256-256-10 ReLU network is trained
on ``--sizes`` Fashion-MNIST images (stratified subsets, one per seed) with
Adam (lr 1e-3, batch 64) for a fixed number of optimizer steps, long enough
to overfit the small sets, at each strength of the technique's grid:

    l2               alpha of the penalty alpha/2 ||W||^2 (Eq. 7.1 with Eq. 7.2; biases not penalized)
    l1               alpha of alpha ||W||_1 (Eq. 7.18), proximal step
    maxnorm          1/c: the radius c of ||W[:, j]|| <= c (§7.2), as 1/c so that right is stronger
    dropout          p, the drop probability of each hidden unit (§7.12)
    input_noise      sigma of Gaussian noise added to the inputs (§7.4/§7.5)
    label_smoothing  epsilon, the book's epsilon/(k-1) form (§7.5.1)
    weight_noise     eta, the standard deviation of Gaussian noise on the weights at each step (§7.5)
    augmentation     the largest random shift, as a fraction of the image side (§7.4)
    early_stopping   log2(T / tau): training stopped after tau = T/2, T/4, ... of the T steps (§7.8, Eq. 7.45)
    adversarial      epsilon of FGSM adversarial training, alpha 0.5 (§7.13)
    bagging          k members, each on its own bootstrap resample, from the same initial weights (§7.11)
    multitask        the weight of a second head predicting the image's 7 x 7 thumbnail (§7.7)
    tying            alpha of TiedL2 between the first layer and an autoencoder's encoder (§7.9)
    vat              epsilon of virtual adversarial training with unlabeled pool images (§7.6, §7.13)
    tangent_prop     alpha of tangent prop along the five known tangents, each of unit norm (§7.14)
    activity_l1      alpha of an L1 penalty on each hidden layer's activations (§7.10)

Strength 0 is the same unregularized network in every row (one seed: the same
subset, the same initial weights and batch order), so each curve's left end is
the baseline. The regularization definition the curves show (the seed's first
slide): test error falls while training error rises, to a sweet spot, then
both rise (under-fitting). Each technique's best strength is the one of lowest
mean validation error, on ``--n-valid`` training images outside the pool the
subsets come from; its effect is then measured on the test set, paired by seed
against strength 0, and called significant only beyond twice its standard error.

    python experiments/strength_sweeps.py --data fashion-mnist              # the study (results/strength_sweeps)
    python experiments/strength_sweeps.py --quick --executor local          # seconds
"""
import math
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

GRIDS = {"l2": [0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
         "l1": [0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3],
         "maxnorm": [0.0, 0.25, 0.5, 1.0, 2.0],          # 1/c: c = inf, 4, 2, 1, 0.5
         "dropout": [0.0, 0.2, 0.4, 0.6, 0.8],
         "input_noise": [0.0, 0.1, 0.2, 0.4, 0.8],
         "label_smoothing": [0.0, 0.05, 0.1, 0.2, 0.4],
         "weight_noise": [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3],
         "augmentation": [0.0, 0.05, 0.1, 0.15, 0.2],
         "early_stopping": [0.0, 1.0, 2.0, 3.0, 4.0],     # log2(T / tau): tau = T, T/2, ..., T/16 steps
         "adversarial": [0.0, 0.01, 0.03, 0.1, 0.2],
         "bagging": [0.0, 2.0, 4.0, 8.0],                 # k members (0: the one network, no resampling)
         "multitask": [0.0, 1.0, 3.0, 10.0, 30.0],
         "tying": [0.0, 1e-3, 1e-2, 1e-1, 1.0],
         "vat": [0.0, 0.5, 1.0, 2.0, 4.0],
         "tangent_prop": [0.0, 1e-3, 1e-2, 1e-1, 1.0],
         "activity_l1": [0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2]}
XLABELS = {"maxnorm": "1/c", "early_stopping": "log2(T / tau)", "bagging": "k members",
           "multitask": "thumbnail weight", "vat": "epsilon (L2, pixels)"}
METRICS = ["test_error", "valid_error", "train_error", "gap", "seconds"]
BATCH = 64
N_UNLABELED = 10000       # the unlabeled images of VAT and of the tied autoencoder


def unlabeled(X_pool, n, seeds):
    """``n`` pool images drawn by the run's split seed, their labels unused (VAT; the tied autoencoder)."""
    rng = np.random.default_rng([seeds.split, 1])
    return X_pool[np.sort(rng.choice(len(X_pool), min(n, len(X_pool)), replace=False))].reshape(-1, 784)


def thumbnail(X):
    """The multitask's second target: the 7 x 7 thumbnail of each image (the mean of each 4 x 4 block)."""
    return X.reshape(len(X), 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(X), 49)


def autoencoder_weights(X_u, hidden, seed):
    """Model B of the tie (§7.9, Lasserre et al.'s pairing of an unsupervised and a supervised model): a
    784-hidden-784 ReLU autoencoder trained on unlabeled images by squared error; its encoder's weight matrix."""
    ae = nr.Sequential(nr.Linear(784, hidden), nr.ReLU(), nr.Linear(hidden, 784), seed=seed)
    nr.fit(ae, nr.MSELoss(), nr.Adam(ae.parameters(), lr=1e-3), (X_u, X_u), epochs=4, batch_size=BATCH, seed=seed,
           verbose=False)
    return [p for p in ae.parameters() if p.regularized][0]


def network(config, seeds):
    """The swept network: 784-hidden-10 ReLU, with the technique's own layers (dropout, input noise,
    ``ActivityL1`` after each ReLU)."""
    t, s = config["technique"], config["strength"]
    if t == "activity_l1" and s:
        layers, width = [nr.Flatten()], 784
        for h in config["hidden"]:
            layers += [nr.Linear(width, h), nr.ReLU(), nr.ActivityL1(s)]
            width = h
        return nr.Sequential(*layers, nr.Linear(width, 10), seed=seeds.model)
    return nr.mlp(784, tuple(config["hidden"]), 10, dropout=s if t == "dropout" else 0.0,
                  input_noise=s if t == "input_noise" else 0.0, seed=seeds.model)


def fit_arguments(config, seeds, model, X_pool):
    """``nr.fit``'s arguments that switch the technique on (none at strength 0)."""
    t, s = config["technique"], config["strength"]
    kw = {"penalties": [], "constraints": []}
    if not s:
        return kw
    if t in ("l2", "l1"):
        kw["penalties"] = [nr.L2(s) if t == "l2" else nr.L1(s)]
    elif t == "maxnorm":
        kw["constraints"] = [nr.MaxNorm(1.0 / s)]
    elif t == "weight_noise":
        kw["weight_noise"] = nr.WeightNoise(s, seed=seeds.noise)
    elif t == "augmentation":
        kw["augment"] = nr.augment.RandomAffine(degrees=0, scale=None, translate=(s, s), seed=seeds.augment,
                                                image_shape=(28, 28))
    elif t == "adversarial":
        kw["adversarial"] = nr.FGSM(s, alpha=0.5, clip=(0, 1))
    elif t == "vat":
        kw["adversarial"] = nr.VAT(s, xi=1e-2, unlabeled=unlabeled(X_pool, N_UNLABELED, seeds), seed=seeds.noise)
    elif t == "tangent_prop":
        kw["adversarial"] = nr.TangentProp(s, sigma=1.0, normalize=True, image_shape=(28, 28))
    elif t == "tying":
        w_b = autoencoder_weights(unlabeled(X_pool, N_UNLABELED, seeds), config["hidden"][0], seeds.noise)
        w_a = [p for p in model.parameters() if p.regularized][0]
        kw["penalties"] = [nr.TiedL2([w_a], [w_b], s)]
    return kw


def error(predict, X, y):
    """The share of ``X`` that ``predict`` (inputs -> scores) classifies wrongly."""
    return 1.0 - float(np.mean(predict(X).argmax(axis=1) == y))


def run(config, seeds):
    """Train one (technique, strength, size) on one seed's subset; final training, validation and test error."""
    (X_all, y_all), (Xt, yt) = st.dataset(config["data"], config["pool"] + config["n_valid"], config["n_test"])
    X_pool, y_pool = X_all[:config["pool"]], y_all[:config["pool"]]
    Xv, yv = X_all[config["pool"]:].reshape(-1, 784), y_all[config["pool"]:]    # the same for every run
    X, y = nr.data.subsample(X_pool, y_pool, config["n_train"], seed=seeds.split)
    X, Xt = X.reshape(-1, 784), Xt.reshape(-1, 784)
    t, s = config["technique"], config["strength"]
    steps = config["steps"] // 2 ** int(s) if t == "early_stopping" else config["steps"]
    epochs = math.ceil(steps * BATCH / config["n_train"])
    criterion = nr.SoftmaxCrossEntropy(label_smoothing=s if t == "label_smoothing" else 0.0)
    start = time.perf_counter()
    if t == "bagging" and s:
        # every member starts from the run's initial weights (the member seed Bagging offers is not used), so
        # members differ only by their bootstrap resample and batch order: bagging as Breiman defined it
        bag = nr.Bagging(lambda member_seed: network(config, seeds), int(s), seed=seeds.model)
        bag.fit(X, y, epochs=epochs, batch_size=BATCH)
        predict = bag.predict_proba
    elif t == "multitask" and s:
        model = multitask(config, seeds, s)
        model.fit(nr.Adam(model.parameters(), lr=1e-3), X, [y, thumbnail(X)], epochs=epochs, batch_size=BATCH,
                  seed=seeds.shuffle)
        predict = class_head(model)
    else:
        model = network(config, seeds)
        nr.fit(model, criterion, nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=epochs, batch_size=BATCH,
               seed=seeds.shuffle, verbose=False, **fit_arguments(config, seeds, model, X_pool))
        predict = lambda Z: nr.predict(model, Z)        # noqa: E731
    train_error, test_error = error(predict, X, y), error(predict, Xt, yt)
    return {"test_error": test_error, "valid_error": error(predict, Xv, yv), "train_error": train_error,
            "gap": test_error - train_error, "seconds": round(time.perf_counter() - start, 2)}


def class_head(model, batch_size=1024):
    """``predict`` for a ``MultiTask``: the class head's logits in evaluation mode, in batches."""
    def predict(Z):
        model.eval()
        return np.concatenate([model.forward(Z[i:i + batch_size])[0] for i in range(0, len(Z), batch_size)])
    return predict


def multitask(config, seeds, weight):
    """The swept network split after its first hidden layer: the trunk, the class head (the rest of the
    network) and a thumbnail head (``Linear(h1, 49)``, squared error, weighted by ``weight``), §7.7."""
    h = config["hidden"]
    trunk = nr.Sequential(nr.Flatten(), nr.Linear(784, h[0]), nr.ReLU())
    layers, width = [], h[0]
    for w in h[1:]:
        layers += [nr.Linear(width, w), nr.ReLU()]
        width = w
    heads = [nr.Sequential(*layers, nr.Linear(width, 10)), nr.Linear(h[0], 49)]
    return nr.MultiTask(trunk, heads, (1.0, weight), criteria=[nr.SoftmaxCrossEntropy(), nr.MSELoss()],
                        seed=seeds.model)


def make_study(args):
    if args.quick:
        sizes, hidden, steps, n_test, pool, n_valid, grids = [300], (64, 64), 150, 1000, 2000, 500, {
            k: v[:3] for k, v in GRIDS.items()}
    else:
        sizes, hidden, steps, n_test, pool, n_valid, grids = args.sizes, tuple(args.hidden), args.steps, \
            args.n_test, args.pool, args.n_valid, GRIDS
    configs = [{"data": args.data, "pool": pool, "n_valid": n_valid, "n_test": n_test, "hidden": list(hidden),
                "steps": steps,
                "n_train": n, "technique": t, "strength": s}
               for n in sizes for t, grid in grids.items() for s in grid]
    return st.Study("strength_sweeps", run, configs, seeds=args.seeds)


def report(result, args):
    """Per size and technique: the strength of the lowest mean validation error, and its paired effect on the
    test error against strength 0; the figures ``strength_sweeps_n<size>.png`` in the study's folder."""
    if not result.complete:
        return
    recs = result.records
    print("figures: " + ", ".join(figure(result, result.folder)))
    print("\nBest strength per technique and size (lowest mean validation error over seeds), its test error "
          "paired against strength 0:")
    for n in sorted({e["config"]["n_train"] for e in recs}):
        for t in GRIDS:
            runs = [e for e in recs if e["config"]["n_train"] == n and e["config"]["technique"] == t]
            if not runs:
                continue
            means, valid = {}, {}
            for e in runs:
                means.setdefault(e["config"]["strength"], []).append(e["record"]["test_error"])
                valid.setdefault(e["config"]["strength"], []).append(e["record"]["valid_error"])
            best = min(valid, key=lambda s: np.mean(valid[s]))
            base = next(e["config"] for e in runs if e["config"]["strength"] == 0.0)
            if best == 0.0 or len(result.study.seeds) < 2:
                print(f"  n={n:>5} {t:>15}: best strength 0 (no gain), test error {np.mean(means[0.0]):.4f}")
                continue
            d = st.paired_difference(recs, "test_error", base, {**base, "strength": best})
            two_se = 2 * d.std / math.sqrt(d.n) if d.n > 1 else float("nan")
            verdict = "exceeds" if abs(d.mean) > two_se else "does NOT exceed"
            print(f"  n={n:>5} {t:>15}: best strength {best:g}, test error {np.mean(means[0.0]):.4f} -> "
                  f"{np.mean(means[best]):.4f} ({d.mean:+.4f}, which {verdict} 2 SE = {two_se:.4f})")


def figure(result, folder, columns=4):
    """One figure per training-set size, ``strength_sweeps_n<size>.png`` in ``folder``: a panel per technique,
    test (solid) and training (dashed) error against the strength, mean +- standard error over seeds, the
    strength-0 baseline as a band (``nr.plots.effects``). Returns the paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from numreg.plots import effects

    recs = result.records
    seeds = sorted({e["seed"] for e in recs})
    paths = []
    for n in sorted({e["config"]["n_train"] for e in recs}):
        rows = math.ceil(len(GRIDS) / columns)
        fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.8 * rows), squeeze=False)
        for ax, t in zip(axes.flat, GRIDS):
            by = {(e["config"]["strength"], e["seed"]): e["record"] for e in recs
                  if e["config"]["n_train"] == n and e["config"]["technique"] == t}
            grid = sorted({s for s, _ in by if s > 0})
            if not grid or (0.0, seeds[0]) not in by:
                ax.set_visible(False)
                continue
            test = np.array([[by[s, k]["test_error"] for s in grid] for k in seeds])
            train = np.array([[by[s, k]["train_error"] for s in grid] for k in seeds])
            baseline = np.array([by[0.0, k]["test_error"] for k in seeds])
            valid = np.array([[by[s, k]["valid_error"] for s in grid] for k in seeds]).mean(axis=0)
            best = grid[int(np.argmin(valid))] if valid.min() < np.mean([by[0.0, k]["valid_error"] for k in seeds]) \
                else None
            effects.strength_sweep(grid, test, train=train, baseline=baseline, best=best, ax=ax, label=t,
                                   xlabel=XLABELS.get(t, "strength"), title=t)
        for ax in list(axes.flat)[len(GRIDS):]:
            ax.set_visible(False)
        fig.suptitle(f"{recs[0]['config']['data']}, {n} training images, {len(seeds)} seeds: test error (solid) "
                     f"and training error (dashed) against each technique's strength")
        fig.tight_layout()
        paths.append(os.path.join(folder, f"strength_sweeps_n{n}.png"))
        fig.savefig(paths[-1], dpi=80)
        plt.close(fig)
    return paths


def add_arguments(p):
    p.add_argument("--sizes", type=int, nargs="+", default=[500, 2000], help="training-set sizes "
                   "(default 500 2000)")
    p.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="hidden widths (default 256 256)")
    p.add_argument("--steps", type=int, default=2000, help="Adam steps of batch 64 per run (default 2000)")
    p.add_argument("--pool", type=int, default=50000, help="the first POOL training images, which the subsets are "
                   "drawn from (default 50000)")
    p.add_argument("--n-valid", type=int, default=10000, help="the next N_VALID training images: the validation "
                   "set that chooses each technique's strength (default 10000)")
    p.add_argument("--n-test", type=int, default=10000, help="test images (default 10000)")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, metrics=METRICS,
                    report=report, seeds=3)


if __name__ == "__main__":
    main()
