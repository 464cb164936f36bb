"""Adversarial examples and adversarial training with FGSM (§7.13).

The seed network (784-128-128-10, dropout 0.5) trained two ways on the
same data: plainly, and with ``nr.fit(..., adversarial=nr.FGSM(epsilon_train,
alpha=0.5))``, the objective ``alpha J(x) + (1 - alpha) J(x + epsilon
sign(grad_x J))`` of Goodfellow, Shlens & Szegedy (2015). Each is then
attacked on the test set with ``nr.fgsm`` at several epsilon (pixels in
[0, 1], the adversarial images clipped to [0, 1], the model in evaluation
mode). The table gives the test error on clean (epsilon = 0) and
adversarial inputs, and the training time of each.

The book (§7.13): the model "is locally too linear"; adversarial training
"encourages the function to be locally constant" near the data, and also
acts as a regularizer on clean data.

Mean ± sd over seeds, and adversarial against plain training paired by
seed (the same data, batch order and initial weights).

    python experiments/fgsm_adversarial_training.py                     # embedded font digits
    python experiments/fgsm_adversarial_training.py --quick --figure fgsm.png
    python experiments/fgsm_adversarial_training.py --data fashion-mnist
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402


def key(e):
    """The record key of the error under attack at ``e``."""
    return f"error_eps_{e:g}"


def run(config, seeds):
    """Train plainly or with FGSM; the test error under FGSM at every epsilon, and the training time."""
    (X, y), (Xt, yt) = st.dataset(config["data"], config["n_train"], config["n_test"])
    crit = nr.SoftmaxCrossEntropy()
    adv = nr.FGSM(config["epsilon_train"], alpha=config["alpha"], clip=(0, 1)) if config["training"] == "FGSM" else None
    model = nr.mlp(seed=seeds.model)
    h = nr.fit(model, crit, nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=config["epochs"], batch_size=64,
               seed=seeds.shuffle, verbose=False, adversarial=adv)
    model.eval()
    out = {"train_seconds": float(sum(h.epoch_time))}
    for e in config["epsilons"]:
        Xa = nr.fgsm(model, crit, Xt, yt, e, clip=(0, 1)) if e > 0 else Xt
        out[key(e)] = float(np.mean(nr.predict(model, Xa).argmax(axis=1) != yt))
    return out


def make_study(args):
    n_train, n_test, epochs = (2000, 500, 3) if args.quick else (args.n_train, args.n_test, args.epochs)
    common = {"data": args.data, "n_train": n_train, "n_test": n_test, "epochs": epochs, "epsilons": args.epsilons}
    configs = [{"training": "plain", "epsilon_train": 0.0, "alpha": 1.0, **common},
               {"training": "FGSM", "epsilon_train": args.epsilon_train, "alpha": args.alpha, **common}]
    return st.Study("fgsm_adversarial_training", run, configs, seeds=args.seeds)


def report(result, args):
    print("(error rates; eps=0 is the clean test set; train_seconds: wall time of the training)")
    eps = result.study.configs[0]["epsilons"]
    if len(result.study.seeds) >= 2 and result.complete:
        plain, fgsm = result.study.configs
        diffs = [st.paired_difference(result.records, key(e), plain, fgsm) for e in eps]
        print("\nFGSM-trained minus plainly trained, same seed (paired):")
        print("\n".join(st.format_differences(diffs)))
    if args.figure:
        rows = st.aggregate(result.records, [key(e) for e in eps])
        errors = {f"{r['training']} training": [r[key(e) + "_mean"] for e in eps] for r in rows}
        nr.plots.adversarial_curves(eps, errors, title=f"FGSM on {args.data}").savefig(args.figure, dpi=120)
        print(f"figure written to {args.figure}")


def add_arguments(ap):
    ap.add_argument("--n-train", type=int, default=10000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--epsilon-train", type=float, default=0.1, help="epsilon of adversarial training")
    ap.add_argument("--alpha", type=float, default=0.5, help="weight of the clean loss")
    ap.add_argument("--epsilons", type=float, nargs="+", default=[0.0, 0.02, 0.05, 0.1, 0.15, 0.2])
    ap.add_argument("--figure", default=None, help="write nr.plots.adversarial_curves (means over seeds) to this PNG")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments, report=report, seeds=2)


if __name__ == "__main__":
    main()
