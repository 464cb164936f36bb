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

    python experiments/fgsm_adversarial_training.py                     # embedded font digits
    python experiments/fgsm_adversarial_training.py --data fashion-mnist
"""
import argparse
import time

import numpy as np

import numreg as nr


def load(args):
    return nr.data.load_dataset(args.data, args.n_train, args.n_test, seed=args.seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=10000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--epsilon-train", type=float, default=0.1, help="epsilon of adversarial training")
    ap.add_argument("--alpha", type=float, default=0.5, help="weight of the clean loss")
    ap.add_argument("--epsilons", type=float, nargs="+", default=[0.0, 0.02, 0.05, 0.1, 0.15, 0.2])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="", help="write nr.plots.adversarial_curves to this PNG ('' : none)")
    args = ap.parse_args()
    (X, y), (Xt, yt) = load(args)
    crit = nr.SoftmaxCrossEntropy()
    runs = {"plain training": None,
            f"FGSM training (eps={args.epsilon_train:g}, alpha={args.alpha:g})":
                nr.FGSM(args.epsilon_train, alpha=args.alpha, clip=(0, 1))}
    print(f"data: {args.data}; {len(X)} training / {len(Xt)} test images; seed network, Adam lr 1e-3, batch 64, "
          f"{args.epochs} epochs; attacks: FGSM on the test set, clipped to [0, 1]\n")
    head = f"{'training':<36} {'time':>7} " + " ".join(f"{'eps=' + format(e, 'g'):>9}" for e in args.epsilons)
    print(head)
    errors = {}
    for name, adv in runs.items():
        model = nr.mlp(seed=args.seed)
        t0 = time.perf_counter()
        nr.fit(model, crit, nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=args.epochs, batch_size=64,
               seed=args.seed, verbose=False, adversarial=adv)
        t = time.perf_counter() - t0
        model.eval()
        err = []
        for e in args.epsilons:
            Xa = nr.fgsm(model, crit, Xt, yt, e, clip=(0, 1)) if e > 0 else Xt
            err.append(float(np.mean(nr.predict(model, Xa).argmax(axis=1) != yt)))
        errors[name] = err
        print(f"{name:<36} {t:>6.0f}s " + " ".join(f"{v:>9.4f}" for v in err), flush=True)
    print("\n(error rates; eps=0 is the clean test set)")
    if args.out:
        nr.plots.adversarial_curves(args.epsilons, errors, title=f"FGSM on {args.data}").savefig(args.out, dpi=120)
        print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
