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

    python experiments/tang_eliasmith.py --quick                       # < 2 minutes, font digits
    python experiments/tang_eliasmith.py --data fashion-mnist --seeds 0 1 2
    python experiments/tang_eliasmith.py --out results/tang_eliasmith  # also write table.txt, results.json

What the paper reports (qualitatively; its abstract and introduction): DBNs
are not robust to occlusion and noise absent from training; a DBN whose
first layer is sparse and local is more robust; denoising "significantly"
improves recognition over the standard DBN for various sources of noise
(on MNIST, with 28x28 digits). The script measures that on the data given
and reports whatever it finds.
"""
import argparse
import json
import os
import time

import numpy as np

import numreg as nr
from numreg.robust.denoising import Denoiser, calibrate_threshold, first_layer_activities, fit_top_down
from numreg.robust.tables import RobustnessTable, compare

MODELS = ("DBN", "sDBN", "sDBN + denoising", "sDBN + fill-in tau=0", "MLP dense", "MLP local", "MLP input noise")

DEFAULTS = dict(data="font-digits", n_train=20000, n_test=4000, hidden=(500, 500), field=10,
                pretrain_epochs=5, pretrain_lr=0.05, momentum=0.5, finetune_epochs=10, finetune_lr=1e-3,
                batch_size=100, fraction=0.3, iterations=3, quantile=0.99, top_down="refit", input_noise=0.3)
QUICK = dict(n_train=8000, n_test=2000, hidden=(300, 300), pretrain_epochs=5, finetune_epochs=8)


def load(config, seed):
    (X, y), (Xt, yt) = nr.data.load_dataset(config["data"], config["n_train"], config["n_test"], seed=seed)
    return (X, y), (Xt, yt)


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


def pretrained(config, X, seed, mask):
    dbn = nr.DBN([784, *config["hidden"]], mask=mask, seed=seed)
    return dbn.pretrain(X, epochs=config["pretrain_epochs"], batch_size=config["batch_size"],
                        lr=config["pretrain_lr"], momentum=config["momentum"], seed=seed)


def run_one(config, seed):
    """Train every model on clean data with ``seed``; return ``{"tables": {model: {corruption: {level: acc}}},
    "seconds": {model: training seconds}}``."""
    config = {**DEFAULTS, **config}
    (X, y), (Xt, yt) = load(config, seed)
    h1 = config["hidden"][0]
    mask = nr.local_mask((28, 28), h1, config["field"], seed=seed)
    tables, seconds = {}, {}

    def measure(name, model, t0):
        seconds[name] = time.perf_counter() - t0
        tables[name] = nr.robustness(model, Xt, yt, seed=seed)
        print(f"  seed {seed}: {name:<17} trained in {seconds[name]:6.1f} s, clean accuracy {tables[name].clean:.4f}",
              flush=True)

    t0 = time.perf_counter()
    dense = finetune(pretrained(config, X, seed, None).to_mlp(10, seed=seed), (X, y), config, seed)
    measure("DBN", dense, t0)

    t0 = time.perf_counter()
    sdbn = pretrained(config, X, seed, mask)
    sparse = finetune(sdbn.to_mlp(10, seed=seed), (X, y), config, seed)
    measure("sDBN", sparse, t0)

    t0 = time.perf_counter()
    if config["top_down"] == "refit":      # an RBM on the fine-tuned first layer's activities
        top = fit_top_down(sparse, X, config["hidden"][1], epochs=config["pretrain_epochs"],
                           batch_size=config["batch_size"], lr=config["pretrain_lr"],
                           momentum=config["momentum"], seed=seed)
    else:                                  # the DBN's own second RBM, as pre-trained
        top = sdbn.rbms[1]
    tau = calibrate_threshold(first_layer_activities(sparse, X), top, config["quantile"])
    measure("sDBN + denoising", Denoiser(sparse, top, config["fraction"], config["iterations"], threshold=tau), t0)
    t0 = time.perf_counter()
    measure("sDBN + fill-in tau=0", Denoiser(sparse, top, config["fraction"], config["iterations"]), t0)

    for name, local, noise in (("MLP dense", False, 0), ("MLP local", True, 0),
                               ("MLP input noise", False, config["input_noise"])):
        t0 = time.perf_counter()
        model = sigmoid_mlp(config, seed, local)
        if noise:
            model = nr.Sequential(nr.GaussianNoise(noise), *model.layers, seed=seed)
        measure(name, finetune(model, (X, y), config, seed), t0)
    return {"tables": {k: {c: dict(v) for c, v in t.items()} for k, t in tables.items()}, "seconds": seconds,
            "n_test": len(Xt)}


def mean_table(runs, name):
    first = runs[0]["tables"][name]
    out = RobustnessTable(n=runs[0]["n_test"])
    for c, levels in first.items():
        out[c] = {lv: float(np.mean([r["tables"][name][c][lv] for r in runs])) for lv in levels}
    return out


def summary(runs):
    """One line per model: clean, mean corrupted (+- std over seeds), and each corruption's mean."""
    names = list(runs[0]["tables"])
    corr = [c for c in runs[0]["tables"][names[0]] if c != "clean"]
    w = max(len(n) for n in names)
    lines = [f"{'model':<{w}}  {'clean':>13}  {'mean corrupted':>15}  " + "  ".join(f"{c:>8}" for c in corr)]
    for n in names:
        clean = np.array([r["tables"][n]["clean"][0] for r in runs])
        mc = np.array([np.mean([a for c in corr for a in r["tables"][n][c].values()]) for r in runs])
        per = [np.mean([np.mean(list(r["tables"][n][c].values())) for r in runs]) for c in corr]
        sd = (lambda v: f" +- {v.std(ddof=1):.3f}") if len(runs) > 1 else (lambda v: " " * 9)
        lines.append(f"{n:<{w}}  {clean.mean():.4f}{sd(clean)}  {mc.mean():.4f}{sd(mc)}  "
                     + "  ".join(f"{v:8.4f}" for v in per))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--data", choices=["font-digits", "fashion-mnist", "mnist"], default=DEFAULTS["data"])
    p.add_argument("--quick", action="store_true", help="small sizes: under 2 minutes on 2 cores")
    p.add_argument("--seeds", type=int, nargs="+", default=None, help="seeds (default 0 1; quick: 0 1)")
    p.add_argument("--n-train", type=int, default=None)
    p.add_argument("--n-test", type=int, default=None)
    p.add_argument("--hidden", type=int, nargs=2, default=None, help="h1 h2 (default 500 500; quick 200 200)")
    p.add_argument("--field", type=int, default=DEFAULTS["field"], help="side of the local fields (default 10)")
    p.add_argument("--pretrain-epochs", type=int, default=None, help="CD-1 epochs a layer (default 5; quick 3)")
    p.add_argument("--finetune-epochs", type=int, default=None, help="Adam epochs (default 10; quick 5)")
    p.add_argument("--fraction", type=float, default=DEFAULTS["fraction"], help="largest share of units unclamped")
    p.add_argument("--iterations", type=int, default=DEFAULTS["iterations"], help="fill-in iterations")
    p.add_argument("--quantile", type=float, default=DEFAULTS["quantile"],
                   help="a unit is unclamped only above this quantile of its clean disagreement (default 0.99)")
    p.add_argument("--top-down", choices=["refit", "dbn"], default=DEFAULTS["top_down"],
                   help="top-down model: an RBM refit on the fine-tuned first layer (default) or the DBN's 2nd RBM")
    p.add_argument("--out", default=None, help="folder to write table.txt and results.json to")
    args = p.parse_args(argv)

    config = dict(DEFAULTS, **(QUICK if args.quick else {}))
    config.update(data=args.data, field=args.field, fraction=args.fraction, iterations=args.iterations,
                  quantile=args.quantile, top_down=args.top_down)
    for key in ("n_train", "n_test", "pretrain_epochs", "finetune_epochs"):
        if getattr(args, key) is not None:
            config[key] = getattr(args, key)
    if args.hidden:
        config["hidden"] = tuple(args.hidden)
    seeds = args.seeds or [0, 1]
    t0 = time.perf_counter()
    print(f"config: {json.dumps(config)}; seeds {seeds}", flush=True)
    runs = [run_one(config, s) for s in seeds]
    tables = {n: mean_table(runs, n) for n in runs[0]["tables"]}
    text = ((f"mean test accuracy over seeds {seeds}:\n" if len(seeds) > 1 else "") + compare(tables)
            + "\n\n" + summary(runs)
            + "\n(per-corruption columns: mean accuracy over its three levels)")
    print()
    print(text)
    print(f"total {time.perf_counter() - t0:.1f} s")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        stem = f"{config['data']}{'_quick' if args.quick else ''}"
        with open(os.path.join(args.out, f"{stem}.txt"), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(args.out, f"{stem}.json"), "w") as f:
            json.dump({"config": {**config, "hidden": list(config["hidden"])}, "seeds": seeds,
                       "runs": [{**r, "tables": {m: {c: {str(lv): a for lv, a in t.items()} for c, t in tab.items()}
                                                 for m, tab in r["tables"].items()}} for r in runs]}, f, indent=1)
    return runs


if __name__ == "__main__":
    main()
