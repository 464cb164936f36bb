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
  on the 100 labels; also the same network from a random start;
- **virtual adversarial training** (§7.13, Miyato et al.): the seed network
  on the 100 labels plus the LDS penalty on ``--vat-batch`` unlabeled images
  per step (``nr.VAT``, epsilon ``--vat-eps``).

The transductive methods (cluster-then-label, label propagation) label the
unlabeled pool; the seed network is then trained on the 100 true labels
plus those pseudo-labels, and tested. The table gives the accuracy of the
labels each method gave the unlabeled pool (where it gives any) and the
test accuracy.

Each method is one configuration of a study: for a seed, every method
sees the same 100 labeled images (drawn from the run's split stream) and
the same batch order; the table gives mean ± sd over seeds, then each
method against supervised-only training, paired by seed.

    python experiments/semisupervised_100_labels.py                    # embedded font digits
    python experiments/semisupervised_100_labels.py --quick
    python experiments/semisupervised_100_labels.py --data fashion-mnist --seeds 5
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")        # the runs, not the matrix products, share the cores

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

METHODS = ("supervised only", "cluster-then-label", "label propagation", "Gaussian mixture, labeled only",
           "Gaussian mixture + EM", "self-training", "denoising AE, no reconstruction", "denoising AE + head",
           "virtual adversarial training", "sigmoid 784-500-500, random start", "DBN pretraining + fine-tuning")


def labeled_indices(y, per_class, seed):
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                                   for c in np.unique(y)]))


def train_seed_network(X, y, epochs, seeds, batch_size=64):
    model = nr.mlp(seed=seeds.model)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-3), (X, y), epochs=epochs,
           batch_size=batch_size, seed=seeds.shuffle, verbose=False)
    return model


def accuracy(model, X, y):
    return float(np.mean(nr.predict(model, X).argmax(axis=1) == y))


def supervised(c, d, seeds):
    epochs = -(-c["steps"] // -(-len(d["Xl"]) // 64))
    m = train_seed_network(d["Xl"], d["yl"], epochs, seeds)
    return accuracy(m, d["Xu"], d["yu"]), accuracy(m, d["Xt"], d["yt"]), ""


def pseudo_then_train(c, d, seeds, labels, note):
    """Train the seed network on the true labels plus the pseudo-labels a transductive method gave."""
    ok = labels >= 0
    m = train_seed_network(np.concatenate([d["Xl"], d["Xu"][ok]]), np.concatenate([d["yl"], labels[ok]]),
                           c["epochs"], seeds)
    return float(np.mean(labels == d["yu"])), accuracy(m, d["Xt"], d["yt"]), note


def cluster_then_label(c, d, seeds):
    labels, unreached = nr.cluster_then_label(d["Xl"], d["yl"], d["Xu"], k=c["clusters"], seed=seeds.model)
    return pseudo_then_train(c, d, seeds, labels, f"{len(unreached)} clusters without a label")


def label_propagation(c, d, seeds):
    labels, _ = nr.label_propagation(d["Xl"], d["yl"], d["Xu"], k_neighbors=c["neighbors"])
    return pseudo_then_train(c, d, seeds, labels, f"{int(np.sum(labels < 0))} points unreached")


def gaussian_mixture(c, d, seeds, lam):
    """One Gaussian per class in the first principal components of all the training images, by EM."""
    flat = np.concatenate([d["Xl"], d["Xu"]]).reshape(len(d["Xl"]) + len(d["Xu"]), -1).astype(np.float64)
    mean = flat.mean(axis=0)
    _, _, Vt = np.linalg.svd(flat[::4] - mean, full_matrices=False)   # a quarter suffices for 30 directions
    project = lambda A: (A.reshape(len(A), -1) - mean) @ Vt[:c["pca"]].T   # noqa: E731
    g = nr.SemiSupervisedGMM(covariance="full", reg_covar=1e-2, unlabeled_weight=lam, max_iter=200)
    g.fit(project(d["Xl"]), d["yl"], project(d["Xu"]))
    return (float(np.mean(g.predict(project(d["Xu"])) == d["yu"])),
            float(np.mean(g.predict(project(d["Xt"])) == d["yt"])), f"{g.n_iter_} EM iterations" if lam else "")


def self_training(c, d, seeds):
    s = nr.SelfTraining(lambda s: nr.mlp(seed=s), threshold=c["threshold"], rounds=3, steps=c["steps"],
                        batch_size=64, seed=seeds.model).fit(d["Xl"], d["yl"], d["Xu"], y_unlabeled=d["yu"])
    h = s.history_[-1]
    return (float(np.mean(s.predict(d["Xu"]) == d["yu"])), float(np.mean(s.predict(d["Xt"]) == d["yt"])),
            f"last round: {h['n_pseudo']} pseudo-labels")


def denoising_autoencoder(c, d, seeds, lam):
    m = nr.DenoisingAutoencoderClassifier(
        nr.Sequential(nr.Flatten(), nr.Linear(784, 256), nr.ReLU()),
        nr.Sequential(nr.Linear(256, 784), nr.Sigmoid()),
        nr.Sequential(nr.Dropout(0.5), nr.Linear(256, 10)),
        corruption=0.3, lam=lam).reseed(seeds.model)
    m.fit(d["Xl"], d["yl"], d["Xu"], epochs=c["epochs"], batch_size=128, labeled_batch_size=32, seed=seeds.shuffle)
    return accuracy(m, d["Xu"], d["yu"]), accuracy(m, d["Xt"], d["yt"]), ""


def virtual_adversarial(c, d, seeds):
    """The seed network on the labels, with VAT's smoothness penalty on unlabeled batches (§7.13)."""
    epochs = -(-c["steps"] // -(-len(d["Xl"]) // 64))
    model = nr.mlp(seed=seeds.model)
    vat = nr.VAT(epsilon=c["vat_eps"], xi=1e-2, unlabeled=d["Xu"], unlabeled_batch_size=c["vat_batch"],
                 seed=seeds.noise)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-3), (d["Xl"], d["yl"]),
           epochs=epochs, batch_size=64, seed=seeds.shuffle, verbose=False, adversarial=vat)
    return accuracy(model, d["Xu"], d["yu"]), accuracy(model, d["Xt"], d["yt"]), f"{c['vat_batch']} unlabeled per step"


def deep_belief_net(c, d, seeds, pretrain):
    """A sigmoid 784-500-500 network fine-tuned on the labels, from a DBN pre-trained on every image or not."""
    epochs = -(-c["steps"] // -(-len(d["Xl"]) // 64))
    dbn = nr.DBN([784, 500, 500], seed=seeds.model)
    if pretrain:
        dbn.pretrain(np.concatenate([d["Xl"], d["Xu"]]), epochs=c["dbn_epochs"], lr=0.05, momentum=0.5,
                     seed=seeds.noise)
    m = dbn.to_mlp(int(d["yl"].max()) + 1, seed=seeds.model)
    nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=1e-3), (d["Xl"], d["yl"]), epochs=epochs,
           batch_size=64, seed=seeds.shuffle, verbose=False)
    return accuracy(m, d["Xu"], d["yu"]), accuracy(m, d["Xt"], d["yt"]), ""


def split(c, seeds):
    """The pool cut into the labeled images (from the run's split stream) and the unlabeled rest."""
    (X, y), (Xt, yt) = st.dataset(c["data"], c["n_train"], c["n_test"])
    li = labeled_indices(y, c["n_labeled"] // (int(y.max()) + 1), seeds.split)
    ui = np.setdiff1d(np.arange(len(X)), li)
    return {"Xl": X[li], "yl": y[li], "Xu": X[ui], "yu": y[ui], "Xt": Xt, "yt": yt}


def run(config, seeds):
    """One method with 100 labels: the accuracy of the labels it gave the pool, and the test accuracy."""
    d = split(config, seeds)
    method = {"supervised only": supervised, "cluster-then-label": cluster_then_label,
              "label propagation": label_propagation,
              "Gaussian mixture, labeled only": lambda c, d, s: gaussian_mixture(c, d, s, 0.0),
              "Gaussian mixture + EM": lambda c, d, s: gaussian_mixture(c, d, s, 1.0),
              "self-training": self_training,
              "denoising AE, no reconstruction": lambda c, d, s: denoising_autoencoder(c, d, s, 0.0),
              "denoising AE + head": lambda c, d, s: denoising_autoencoder(c, d, s, c["lam"]),
              "virtual adversarial training": virtual_adversarial,
              "sigmoid 784-500-500, random start": lambda c, d, s: deep_belief_net(c, d, s, False),
              "DBN pretraining + fine-tuning": lambda c, d, s: deep_belief_net(c, d, s, True)}[config["method"]]
    pool, test, note = method(config, d, seeds)
    return {"pool_accuracy": pool, "test_accuracy": test, "note": note}


def make_study(args):
    sizes = (2000, 500, 300, 3) if args.quick else (args.n_train, args.n_test, args.steps, args.epochs)
    common = dict(zip(("n_train", "n_test", "steps", "epochs"), sizes))
    common.update(data=args.data, n_labeled=args.n_labeled, clusters=args.clusters, neighbors=args.neighbors,
                  pca=args.pca, threshold=args.threshold, lam=args.lam,
                  vat_eps=args.vat_eps, vat_batch=args.vat_batch, dbn_epochs=1 if args.quick else 5)
    return st.Study("semisupervised_100_labels", run, [{"method": m, **common} for m in METHODS], seeds=args.seeds)


def report(result, args):
    for e in result.records:
        if e["record"]["note"] and e["seed"] == result.study.seeds[0]:
            print(f"  {e['config']['method']}: {e['record']['note']} (seed {e['seed']})")
    if len(result.study.seeds) >= 2 and result.complete:
        diffs = st.paired_differences(result.records, "test_accuracy", "method", "supervised only")
        print("\nagainst supervised only, the same 100 labels and seed (paired):")
        print("\n".join(st.format_differences(diffs, digits=3)))


def add_arguments(ap):
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
    ap.add_argument("--vat-eps", type=float, default=1.0, help="epsilon (L2 per image) of VAT")
    ap.add_argument("--vat-batch", type=int, default=128, help="unlabeled images per VAT step")


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments,
                    metrics=["pool_accuracy", "test_accuracy"], report=report, seeds=2)


if __name__ == "__main__":
    main()
