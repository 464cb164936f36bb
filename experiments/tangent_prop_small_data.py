"""Tangent prop, augmentation and the manifold tangent classifier with a few hundred labels (§7.14).

For each of ``--subsets`` random training subsets of ``--n-labeled`` images
(drawn from a pool of ``--n-train``), the same network (784-128-128-10,
ReLU, no dropout) is trained for ``--epochs`` epochs:

- **plain**;
- **augmentation** (§7.4): random rotations of +-10 degrees, zooms of +-10 %, shifts of +-8 %;
- **tangent prop** (Eq. 7.67) along the five known tangents (shifts x and y, rotation,
  scaling, thickening; unit norm, blur 1 pixel), weight ``--alpha``;

and the manifold tangent classifier's pair, on a 784-128-10 sigmoid network started from
a contractive autoencoder (``lambda = --cae-lam``) trained on the whole pool without labels:

- **CAE encoder** without the penalty;
- **manifold tangent classifier**: with tangent prop along the autoencoder's 5 leading
  learned tangents (weight ``--alpha``).

The table gives the test accuracy per subset and its mean and standard deviation.

    python experiments/tangent_prop_small_data.py                    # embedded font digits, about 3 min
    python experiments/tangent_prop_small_data.py --data fashion-mnist
"""
import argparse
import time

import numpy as np

import numreg as nr

TANGENTS = ("translate_x", "translate_y", "rotate", "scale", "thicken")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=2300, help="pool (the autoencoder sees all of it, unlabeled)")
    ap.add_argument("--n-labeled", type=int, default=300)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--subsets", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--alpha", type=float, default=0.01, help="weight of the tangent-prop penalty")
    ap.add_argument("--cae-lam", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    (X, y), (Xt, yt) = nr.data.load_dataset(args.data, args.n_train, args.n_test, seed=args.seed)
    X = X.reshape(len(X), 28, 28)
    Xt = Xt.reshape(len(Xt), 28, 28)
    crit = nr.SoftmaxCrossEntropy()
    methods = ("plain", "augmentation", "tangent prop", "CAE encoder", "manifold tangent classifier")
    table = {m: [] for m in methods}
    print(f"data: {args.data}; {args.n_labeled} labelled images per subset, pool {len(X)}, {len(Xt)} test images\n")
    print(f"{'subset':>6} " + " ".join(f"{m:>14.14}" for m in methods) + f" {'time':>7}")
    for s in range(args.subsets):
        t0 = time.perf_counter()
        seed = args.seed + s
        idx = np.random.default_rng(1000 + seed).choice(len(X), args.n_labeled, replace=False)
        Xs, ys = X[idx], y[idx]

        def train(model, **kw):
            nr.fit(model, crit, nr.Adam(model.parameters()), (Xs, ys), epochs=args.epochs, batch_size=32,
                   seed=seed, verbose=False, **kw)
            return float(np.mean(nr.predict(model, Xt).argmax(axis=1) == yt))

        mlp = lambda: nr.mlp(dropout=0.0, seed=seed)
        table["plain"].append(train(mlp()))
        table["augmentation"].append(train(mlp(), augment=nr.augment.RandomAffine(
            degrees=10, scale=(0.9, 1.1), translate=(0.08, 0.08), seed=seed)))
        table["tangent prop"].append(train(mlp(), adversarial=nr.TangentProp(args.alpha, TANGENTS, sigma=1.0,
                                                                             normalize=True)))
        cae = nr.ContractiveAutoencoder(784, 128, lam=args.cae_lam, seed=seed).fit(X, epochs=10, batch_size=50,
                                                                                     lr=1e-2, seed=seed)
        learned = nr.TangentTable(Xs, cae.tangents(Xs, k=5))
        table["CAE encoder"].append(train(cae.classifier(10, seed=seed)))
        table["manifold tangent classifier"].append(train(cae.classifier(10, seed=seed),
                                                          adversarial=nr.TangentProp(args.alpha, tangents=learned)))
        print(f"{s:>6} " + " ".join(f"{table[m][-1]:>14.3f}" for m in methods)
              + f" {time.perf_counter() - t0:>6.1f}s", flush=True)
    print(f"{'mean':>6} " + " ".join(f"{np.mean(table[m]):>14.3f}" for m in methods))
    print(f"{'std':>6} " + " ".join(f"{np.std(table[m]):>14.3f}" for m in methods))


if __name__ == "__main__":
    main()
