"""Tang & Eliasmith (2010) whole: DBN, sparse DBN, sparse DBN + denoising, and MLP baselines under unseen noise.

Every model is trained on *clean* images only, then tested on the clean
test set and on each corruption of ``nr.corrupt`` (an occluding square,
additive Gaussian noise, salt noise, a noisy border) at three levels:

    DBN                 784-h1-h2 DBN, greedily pre-trained with CD-1 (Hinton, Osindero & Teh 2006),
                        turned into a sigmoid MLP (DBN.to_mlp) and fine-tuned by back-propagation
    sDBN                the same with a sparse, local first RBM (each unit sees one field x field
                        window, nr.local_mask): Tang & Eliasmith's sparse DBN
    sDBN + denoising    the fine-tuned sDBN classifying after the top-down fill-in of the
                        first-layer units that disagree most with a generative model of that layer
                        (numreg.robust.denoising): at most --fraction of the units, each only if its
                        disagreement exceeds the --quantile of its disagreement on clean training data
    sDBN + fill-in tau=0  the same without the threshold: a fixed share of every input replaced
    MLP dense           the same sigmoid network, no pretraining
    MLP local           with the sparse local first layer (SparseLinear), no pretraining
    MLP input noise     dense, trained with Gaussian input noise (§7.5); its "gaussian" rows are
                        then noise seen in training

A study on the shared runner (``numreg.study``): one configuration per data
set and size, ``--seeds`` runs of it. One run trains *all* the models: the
three sDBN rows are one pre-trained and fine-tuned sparse DBN (classifying
directly, after denoising, after the fill-in without threshold), so that
sDBN + denoising is compared with exactly the network it denoises; splitting
the models into configurations of their own would pre-train and fine-tune
that network three times (or lose the pairing), so the runs are parallel
over seeds (and data sets), not over models. Within a run the models share
the seed's streams (``RunSeeds``): the sample of training and test images
(``split``; a new sample per seed, as before the study), the initial weights
and local masks (``model``), the batch order of pretraining and fine-tuning
(``shuffle``), and the corruptions of the test set (``noise``). A run's
record is flat: ``<model>/<corruption>/<level>`` (accuracy),
``<model>/<corruption>`` (mean over the levels), ``<model>/clean``,
``<model>/mean_corrupted`` (mean over the 12 corrupted test sets),
``<model>/seconds`` (training wall time) and ``seconds`` (the run's).

It prints the per-corruption table (mean over the seeds), one line per
model (clean and mean corrupted accuracy, mean ± sd over seeds, and each
corruption's mean), and, with two seeds or more, the paired differences of
mean corrupted accuracy (paired t and bootstrap intervals over the seeds):
sDBN vs DBN, sDBN + denoising vs sDBN, and sDBN + denoising vs DBN.

    python experiments/tang_eliasmith.py --quick                       # a minute or two, font digits, 2 seeds
    python experiments/tang_eliasmith.py --data fashion-mnist --seeds 3
    python experiments/tang_eliasmith.py --data fashion-mnist --seeds 3 --out results/tang_eliasmith/fashion-mnist
    python experiments/tang_eliasmith.py --executor dask --workers 2                    # a local Dask cluster
    python experiments/tang_eliasmith.py --executor dask --scheduler tcp://scheduler:8786 --seeds 5

(the study's folder, ``runs/tang_eliasmith`` unless ``--out``, keeps every
run's record and ``table.csv`` / ``table.json``; runs already recorded there
are not run again.) The records in ``results/tang_eliasmith/*.json`` were
made by the script before it was a study (same models, sizes and levels;
``--seeds 0 1 2`` then is ``--seeds 3`` now).

What the paper reports (qualitatively; its abstract and introduction): DBNs
are not robust to occlusion and noise absent from training; a DBN whose
first layer is sparse and local is more robust; denoising "significantly"
improves recognition over the standard DBN for various sources of noise
(on MNIST, with 28x28 digits). The script measures that on the data given
and reports whatever it finds.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import time  # noqa: E402

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.data.fontdigits import load_font_digits  # noqa: E402
from numreg.robust.denoising import Denoiser, calibrate_threshold, first_layer_activities, fit_top_down  # noqa: E402
from numreg.study import cli  # noqa: E402

MODELS = ("DBN", "sDBN", "sDBN + denoising", "sDBN + fill-in tau=0", "MLP dense", "MLP local", "MLP input noise")

DEFAULTS = dict(data="font-digits", n_train=20000, n_test=4000, hidden=[500, 500], field=10,
                pretrain_epochs=5, pretrain_lr=0.05, momentum=0.5, finetune_epochs=10, finetune_lr=1e-3,
                batch_size=100, fraction=0.3, iterations=3, quantile=0.99, top_down="refit", input_noise=0.3)
QUICK = dict(n_train=8000, n_test=2000, hidden=[300, 300], pretrain_epochs=5, finetune_epochs=8)
OPTIONS = ("n_train", "n_test", "hidden", "field", "pretrain_epochs", "finetune_epochs", "fraction", "iterations",
           "quantile", "top_down")


def load(config, seed):
    """The run's sample of training and test images, drawn from ``seed`` (the split stream).

    Font digits are generated from the seed (not cached on disk: a new seed each run); a real data set is
    read once per process and sub-sampled with balanced classes, as ``nr.data.load_dataset(seed=)`` does.
    """
    if config["data"] == "font-digits":
        return load_font_digits(config["n_train"], config["n_test"], seed=seed, cache=False)
    train, test = st.dataset(config["data"])
    return tuple(nr.data.subsample(*part, n, seed=seed) if n and n < len(part[0]) else part
                 for part, n in ((train, config["n_train"]), (test, config["n_test"])))


def sigmoid_mlp(config, seed, local):
    """784-h1-h2-10 with sigmoid units (the DBN's shape), first layer dense or local."""
    h1, h2 = config["hidden"]
    first = (nr.SparseLinear(784, h1, nr.local_mask((28, 28), h1, config["field"], seed=seed)) if local
             else nr.Linear(784, h1))
    return nr.Sequential(nr.Flatten(), first, nr.Sigmoid(), nr.Linear(h1, h2), nr.Sigmoid(),
                         nr.Linear(h2, 10), seed=seed)


def finetune(model, train, config, seed):
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=config["finetune_lr"]), train,
           epochs=config["finetune_epochs"], batch_size=config["batch_size"], seed=seed, verbose=False)
    return model


def pretrained(config, X, seeds, mask):
    dbn = nr.DBN([784, *config["hidden"]], mask=mask, seed=seeds.model)
    return dbn.pretrain(X, epochs=config["pretrain_epochs"], batch_size=config["batch_size"],
                        lr=config["pretrain_lr"], momentum=config["momentum"], seed=seeds.shuffle)


def table_record(name, table, seconds):
    """The flat record fields of one model's ``RobustnessTable``."""
    out = {f"{name}/clean": float(table.clean)}
    corrupted = []
    for c, levels in table.items():
        if c == "clean":
            continue
        for lv, a in levels.items():
            out[f"{name}/{c}/{lv}"] = float(a)
            corrupted.append(a)
        out[f"{name}/{c}"] = float(np.mean(list(levels.values())))
    out[f"{name}/mean_corrupted"] = float(np.mean(corrupted))
    out[f"{name}/seconds"] = float(seconds)
    return out


def run(config, seeds):
    """Train every model on the clean sample of the seed; each one's accuracy per corruption and level."""
    start = time.perf_counter()
    (X, y), (Xt, yt) = load(config, seeds.split)
    h1 = config["hidden"][0]
    mask = nr.local_mask((28, 28), h1, config["field"], seed=seeds.model)
    record = {"n_test": len(Xt)}

    def measure(name, model, t0):
        seconds = time.perf_counter() - t0
        record.update(table_record(name, nr.robustness(model, Xt, yt, seed=seeds.noise), seconds))

    t0 = time.perf_counter()
    dense = finetune(pretrained(config, X, seeds, None).to_mlp(10, seed=seeds.model), (X, y), config, seeds.shuffle)
    measure("DBN", dense, t0)

    t0 = time.perf_counter()
    sdbn = pretrained(config, X, seeds, mask)
    sparse = finetune(sdbn.to_mlp(10, seed=seeds.model), (X, y), config, seeds.shuffle)
    measure("sDBN", sparse, t0)

    t0 = time.perf_counter()
    if config["top_down"] == "refit":      # an RBM on the fine-tuned first layer's activities
        top = fit_top_down(sparse, X, config["hidden"][1], epochs=config["pretrain_epochs"],
                           batch_size=config["batch_size"], lr=config["pretrain_lr"],
                           momentum=config["momentum"], seed=seeds.shuffle)
    else:                                  # the DBN's own second RBM, as pre-trained
        top = sdbn.rbms[1]
    tau = calibrate_threshold(first_layer_activities(sparse, X), top, config["quantile"])
    measure("sDBN + denoising", Denoiser(sparse, top, config["fraction"], config["iterations"], threshold=tau), t0)
    t0 = time.perf_counter()
    measure("sDBN + fill-in tau=0", Denoiser(sparse, top, config["fraction"], config["iterations"]), t0)

    for name, local, noise in (("MLP dense", False, 0), ("MLP local", True, 0),
                               ("MLP input noise", False, config["input_noise"])):
        t0 = time.perf_counter()
        model = sigmoid_mlp(config, seeds.model, local)
        if noise:
            model = nr.Sequential(nr.GaussianNoise(noise), *model.layers, seed=seeds.model)
        measure(name, finetune(model, (X, y), config, seeds.shuffle), t0)
    record["seconds"] = time.perf_counter() - start
    return record


def make_study(args):
    """One configuration: the defaults, the --quick sizes if asked, then every option given explicitly."""
    config = dict(DEFAULTS, **(QUICK if args.quick else {}), data=args.data)
    for key in OPTIONS:
        if getattr(args, key) is not None:
            config[key] = list(getattr(args, key)) if key == "hidden" else getattr(args, key)
    return st.Study("tang_eliasmith", run, [config], seeds=args.seeds)


def mean_table(records, name):
    """``name``'s ``RobustnessTable``, each accuracy averaged over the records (seeds)."""
    out = nr.robust.RobustnessTable(n=records[0]["n_test"])
    out["clean"] = {0: float(np.mean([r[f"{name}/clean"] for r in records]))}
    for c, (_, levels) in nr.corrupt.CORRUPTIONS.items():
        out[c] = {lv: float(np.mean([r[f"{name}/{c}/{lv}"] for r in records])) for lv in levels}
    return out


def summary(records):
    """One line per model: clean, mean corrupted (± sd over seeds), and each corruption's mean."""
    corr = list(nr.corrupt.CORRUPTIONS)
    w = max(len(n) for n in MODELS)
    lines = [f"{'model':<{w}}  {'clean':>15}  {'mean corrupted':>15}  " + "  ".join(f"{c:>8}" for c in corr)]
    for n in MODELS:
        clean = np.array([r[f"{n}/clean"] for r in records])
        mc = np.array([r[f"{n}/mean_corrupted"] for r in records])
        per = [np.mean([r[f"{n}/{c}"] for r in records]) for c in corr]
        sd = (lambda v: f" ± {v.std(ddof=1):.3f}") if len(records) > 1 else (lambda v: " " * 8)
        lines.append(f"{n:<{w}}  {clean.mean():.4f}{sd(clean)}  {mc.mean():.4f}{sd(mc)}  "
                     + "  ".join(f"{v:8.4f}" for v in per))
    return "\n".join(lines)


PAIRS = (("DBN", "sDBN"), ("sDBN", "sDBN + denoising"), ("DBN", "sDBN + denoising"))


def per_model(envelopes, metric="mean_corrupted"):
    """The run envelopes split into one per model (``config["model"]``), with ``metric`` of that model."""
    return [{"config": {**e["config"], "model": m}, "seed": e["seed"], "record": {metric: e["record"][f"{m}/{metric}"]}}
            for e in envelopes for m in MODELS]


def paired(envelopes, config, metric="mean_corrupted"):
    """The paired differences of ``metric`` (``PAIRS``: B - A, same seed and sample) of ``config``'s runs."""
    envs = per_model([e for e in envelopes if e["config"] == config], metric)
    return [st.paired_difference(envs, metric, {**config, "model": a}, {**config, "model": b}) for a, b in PAIRS]


def report(result, args):
    for config in result.study.configs:
        envs = [e for e in result.records if e["config"] == config]
        if not envs:
            continue
        records = [e["record"] for e in envs]
        seeds = sorted(e["seed"] for e in envs)
        print(f"\n{config['data']}, {config['n_train']} training / {config['n_test']} test images, "
              f"784-{'-'.join(map(str, config['hidden']))}: mean test accuracy over seeds {seeds}:")
        print(nr.robust.compare({m: mean_table(records, m) for m in MODELS}))
        print()
        print(summary(records))
        print("(per-corruption columns: mean accuracy over its three levels; "
              f"{np.mean([r['seconds'] for r in records]):.1f} s a run)")
        if len(envs) >= 2:
            print("\nmean corrupted accuracy, paired by seed (the same images, batch order and corruptions):")
            print("\n".join(st.format_differences(paired(result.records, config))))


def add_arguments(p):
    d, q = DEFAULTS, QUICK
    p.add_argument("--n-train", type=int, default=None,
                   help=f"training images (default {d['n_train']}; --quick {q['n_train']})")
    p.add_argument("--n-test", type=int, default=None,
                   help=f"test images (default {d['n_test']}; --quick {q['n_test']})")
    p.add_argument("--hidden", type=int, nargs=2, default=None, metavar=("H1", "H2"),
                   help="widths of the two hidden layers (default 500 500; --quick 300 300)")
    p.add_argument("--field", type=int, default=None, help=f"side of the local fields (default {d['field']})")
    p.add_argument("--pretrain-epochs", type=int, default=None,
                   help=f"CD-1 epochs a layer (default {d['pretrain_epochs']}; --quick {q['pretrain_epochs']})")
    p.add_argument("--finetune-epochs", type=int, default=None,
                   help=f"Adam epochs (default {d['finetune_epochs']}; --quick {q['finetune_epochs']})")
    p.add_argument("--fraction", type=float, default=None,
                   help=f"largest share of first-layer units unclamped (default {d['fraction']})")
    p.add_argument("--iterations", type=int, default=None, help=f"fill-in iterations (default {d['iterations']})")
    p.add_argument("--quantile", type=float, default=None,
                   help=f"a unit is unclamped only above this quantile of its clean disagreement "
                   f"(default {d['quantile']})")
    p.add_argument("--top-down", choices=["refit", "dbn"], default=None,
                   help="top-down model: an RBM refit on the fine-tuned first layer (default) or the DBN's 2nd RBM")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, report=report, seeds=2,
                    show_table=False)


if __name__ == "__main__":
    main()
