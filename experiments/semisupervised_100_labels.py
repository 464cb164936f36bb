"""Semi-supervised learning with 100 labels (§7.6): supervised-only against each method.

A pool of ``--n-train`` training images of which only ``--n-labeled`` (10
per class) keep their label; the rest are unlabeled. Each method:

- **supervised only**: the seed network (784-128-128-10, dropout 0.5) on the 100 labels;
- **cluster-then-label** (the seed's slide): k-means with ``--clusters``
  clusters on all the images, each cluster labeled by the majority of its
  labeled members;
- **label propagation** (graph-based): labels spread over a
  ``--neighbors``-nearest-neighbour graph of all the images;
- **Gaussian mixture + EM** (generative): one full-covariance Gaussian per
  class in the space of the first ``--pca`` principal components of all the
  images, fitted by EM with the labeled responsibilities fixed; also with
  the unlabeled data switched off (lambda = 0), to see what they add;
- **self-training**: the seed network, retrained on its own confident
  (p >= ``--threshold``) pseudo-labels, 3 rounds;
- **denoising autoencoder + head** (h = f(x)): an encoder 784-256 shared by
  a decoder restoring masked inputs (all data) and a classifier head (the
  100 labels), the two losses summed; also with lambda = 0 (the same
  network and noise, no reconstruction term);
- **DBN pretraining** (generative pretraining as semi-supervised learning,
  Hinton, Osindero & Teh 2006): a 784-500-500 DBN pre-trained with CD-1 on
  all the images, turned into a sigmoid MLP (``DBN.to_mlp``) and fine-tuned
  on the 100 labels; also the same network from a random start.

The transductive methods (cluster-then-label, label propagation) label the
unlabeled pool; the seed network is then trained on the 100 true labels
plus those pseudo-labels, and tested. The table gives the accuracy of the
labels each method gave the unlabeled pool (where it gives any) and the
test accuracy.

    python experiments/semisupervised_100_labels.py                    # embedded font digits
    python experiments/semisupervised_100_labels.py --data fashion-mnist
"""
import argparse
import time

import numpy as np

import numreg as nr


def load(args):
    return nr.data.load_dataset(args.data, args.n_train, args.n_test, seed=args.seed)


def labeled_indices(y, per_class, seed):
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                                   for c in np.unique(y)]))


def train_seed_network(X, y, epochs, seed, batch_size=64):
    model = nr.mlp(seed=seed)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=epochs,
           batch_size=batch_size, seed=seed, verbose=False)
    return model


def accuracy(model, X, y):
    return float(np.mean(nr.predict(model, X).argmax(axis=1) == y))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=10000, help="labeled + unlabeled pool")
    ap.add_argument("--n-labeled", type=int, default=100, help="labels kept (equal per class)")
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--clusters", type=int, default=100, help="k of cluster-then-label")
    ap.add_argument("--neighbors", type=int, default=10, help="k of the label-propagation graph")
    ap.add_argument("--pca", type=int, default=30, help="dimensions of the Gaussian mixture")
    ap.add_argument("--threshold", type=float, default=0.95, help="self-training confidence")
    ap.add_argument("--lam", type=float, default=30.0, help="weight of the autoencoder's reconstruction loss")
    ap.add_argument("--epochs", type=int, default=10, help="epochs over the pool (pseudo-labels, autoencoder)")
    ap.add_argument("--steps", type=int, default=1500, help="optimizer steps of a 100-label training run")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    (X, y), (Xt, yt) = load(args)
    n_classes = int(y.max()) + 1
    li = labeled_indices(y, args.n_labeled // n_classes, args.seed)
    ui = np.setdiff1d(np.arange(len(X)), li)
    Xl, yl, Xu, yu = X[li], y[li], X[ui], y[ui]
    print(f"data: {args.data}; {len(Xl)} labeled + {len(Xu)} unlabeled training images, {len(Xt)} test images; "
          f"seed {args.seed}\n")
    rows = []

    def row(name, pool_acc, test_acc, t0, note=""):
        rows.append((name, pool_acc, test_acc, time.perf_counter() - t0, note))
        pa = "" if pool_acc is None else f"{pool_acc:.3f}"
        print(f"{name:<58} {pa:>8} {test_acc:>8.3f} {rows[-1][3]:>7.1f}s  {note}", flush=True)

    print(f"{'method':<58} {'pool acc':>8} {'test acc':>8} {'time':>8}")
    sup_epochs = -(-args.steps // -(-len(Xl) // 64))

    t0 = time.perf_counter()
    sup = train_seed_network(Xl, yl, sup_epochs, args.seed)
    row("supervised only (100 labels)", accuracy(sup, Xu, yu), accuracy(sup, Xt, yt), t0)

    def pseudo_then_train(name, labels, t0, note=""):
        ok = labels >= 0
        model = train_seed_network(np.concatenate([Xl, Xu[ok]]), np.concatenate([yl, labels[ok]]),
                                   args.epochs, args.seed)
        row(name, float(np.mean(labels == yu)), accuracy(model, Xt, yt), t0, note)

    t0 = time.perf_counter()
    labels, unreached = nr.cluster_then_label(Xl, yl, Xu, k=args.clusters, seed=args.seed)
    pseudo_then_train(f"cluster-then-label (k={args.clusters})", labels, t0,
                      f"{len(unreached)} clusters without a label (nearest labeled centre used)")

    t0 = time.perf_counter()
    labels, _ = nr.label_propagation(Xl, yl, Xu, k_neighbors=args.neighbors)
    pseudo_then_train(f"label propagation ({args.neighbors}-NN graph)", labels, t0,
                      f"{int(np.sum(labels < 0))} points unreached")

    # Gaussian mixture in the principal subspace of all the training images (no labels used)
    t0 = time.perf_counter()
    flat = X.reshape(len(X), -1).astype(np.float64)
    mean = flat.mean(axis=0)
    _, _, Vt = np.linalg.svd(flat[::4] - mean, full_matrices=False)  # a quarter suffices for 30 directions
    P = Vt[:args.pca].T
    project = lambda A: (A.reshape(len(A), -1) - mean) @ P
    Zl, Zu, Zt = project(Xl), project(Xu), project(Xt)
    for lam, name in ((0.0, "Gaussian mixture, labeled only (lambda=0)"), (1.0, "Gaussian mixture + EM")):
        t1 = time.perf_counter()
        g = nr.SemiSupervisedGMM(covariance="full", reg_covar=1e-2, unlabeled_weight=lam, max_iter=200)
        g.fit(Zl, yl, Zu)
        row(f"{name} ({args.pca} PCs)", float(np.mean(g.predict(Zu) == yu)), float(np.mean(g.predict(Zt) == yt)),
            t0 if lam == 0 else t1, f"{g.n_iter_} EM iterations" if lam else "")

    t0 = time.perf_counter()
    st = nr.SelfTraining(lambda s: nr.mlp(seed=s), threshold=args.threshold, rounds=3, steps=args.steps,
                         batch_size=64, seed=args.seed).fit(Xl, yl, Xu, y_unlabeled=yu)
    h = st.history_[-1]
    row("self-training (pseudo-labels, 3 rounds)", float(np.mean(st.predict(Xu) == yu)),
        float(np.mean(st.predict(Xt) == yt)), t0,
        f"last round: {h['n_pseudo']} pseudo-labels, {h.get('pseudo_accuracy', float('nan')):.3f} right")

    for lam in (0.0, args.lam):
        t0 = time.perf_counter()
        m = nr.DenoisingAutoencoderClassifier(
            nr.Sequential(nr.Flatten(), nr.Linear(784, 256), nr.ReLU()),
            nr.Sequential(nr.Linear(256, 784), nr.Sigmoid()),
            nr.Sequential(nr.Dropout(0.5), nr.Linear(256, 10)),
            corruption=0.3, lam=lam).reseed(args.seed)
        m.fit(Xl, yl, Xu, epochs=args.epochs, batch_size=128, labeled_batch_size=32, seed=args.seed)
        name = f"denoising AE + head, lambda={lam:g}" + ("" if lam else " (no reconstruction)")
        row(name, accuracy(m, Xu, yu), accuracy(m, Xt, yt), t0)

    for pretrain in (False, True):
        t0 = time.perf_counter()
        dbn = nr.DBN([784, 500, 500], seed=args.seed)
        if pretrain:
            dbn.pretrain(X, epochs=5, lr=0.05, momentum=0.5, seed=args.seed)
        m = dbn.to_mlp(n_classes, seed=args.seed)
        nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=1e-3), (Xl, yl), epochs=sup_epochs,
               batch_size=64, seed=args.seed, verbose=False)
        name = ("DBN pretraining (all images) + fine-tuning (100 labels)" if pretrain
                else "same sigmoid 784-500-500 net, random start (100 labels)")
        row(name, accuracy(m, Xu, yu), accuracy(m, Xt, yt), t0)

    best = max(rows, key=lambda r: r[2])
    print(f"\nbest test accuracy: {best[0]} ({best[2]:.3f}) against {rows[0][2]:.3f} with the 100 labels alone")


if __name__ == "__main__":
    main()
