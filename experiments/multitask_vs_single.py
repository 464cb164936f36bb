"""Multitask against single-task training in a small-data regime (§7.7).

Two tasks share the input image: the class (softmax cross-entropy) and a
second target derived from the image itself, its 7 x 7 thumbnail (the
mean of each 4 x 4 block of pixels; squared error). The multitask network
is the seed network's first layer as a shared trunk (784-128, ReLU,
dropout 0.5) with a class head (128-128-10, the rest of the seed network)
and a thumbnail head (128-49). The single-task network is the trunk with
the class head alone: the seed network. Both see the same ``--n-train``
labeled images, for the same number of steps, over ``--seeds`` seeds;
the table gives the test accuracy of the class head (mean and standard
deviation over seeds) and the test squared error of the thumbnail head.

The book's claim (§7.7, Figure 7.2): "the shared parameters ... can
benefit from the statistical strength of the other tasks", so they
generalize better, when the tasks really share factors -- here both need
the strokes' layout.

    python experiments/multitask_vs_single.py                       # embedded font digits
    python experiments/multitask_vs_single.py --data fashion-mnist
"""
import argparse
import time

import numpy as np

import numreg as nr


def load(args):
    return nr.data.load_dataset(args.data, args.n_train, args.n_test, seed=args.seed)


def thumbnail(X):
    """7 x 7 thumbnail of 28 x 28 images: the mean of each 4 x 4 block, flattened to 49 numbers."""
    return X.reshape(len(X), 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(X), 49)


def build(seed, weights):
    trunk = nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU(), nr.Dropout(0.5))
    heads = [nr.Sequential(nr.Linear(128, 128), nr.ReLU(), nr.Dropout(0.5), nr.Linear(128, 10))]
    criteria = [nr.SoftmaxCrossEntropy()]
    if weights[1] > 0:
        heads.append(nr.Linear(128, 49))
        criteria.append(nr.MSELoss())
    return nr.MultiTask(trunk, heads, weights[:len(heads)], criteria=criteria, seed=seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("font-digits", "fashion-mnist"), default="font-digits")
    ap.add_argument("--n-train", type=int, default=300, help="labeled training images (the small-data regime)")
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=1500, help="optimizer steps per run")
    ap.add_argument("--weights", type=float, nargs="+", default=[1.0, 10.0, 30.0, 100.0],
                    help="weights of the thumbnail task to try (the class task has weight 1)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0, help="seed of the data")
    args = ap.parse_args()
    (X, y), (Xt, yt) = load(args)
    T, Tt = thumbnail(X), thumbnail(Xt)
    batch = 32
    epochs = -(-args.steps // -(-len(X) // batch))
    print(f"data: {args.data}; {len(X)} training / {len(Xt)} test images; tasks: class (cross-entropy) and 7x7 "
          f"thumbnail (squared error); {epochs} epochs of batches of {batch} (~{args.steps} steps); "
          f"Adam lr 1e-3; {args.seeds} seeds\n")
    print(f"{'training':<34} {'class test acc':>16} {'thumbnail test MSE':>20} {'time/run':>9}")
    configs = [("single task (class only)", (1.0, 0.0))] + [(f"multitask, thumbnail weight {w:g}", (1.0, w))
                                                         for w in args.weights]
    # the thumbnail alone, to compare its error with and without the class task
    configs.append(("single task (thumbnail only)", (0.0, 1.0)))
    results = {}
    for name, w in configs:
        accs, mses, times = [], [], []
        for s in range(args.seeds):
            t0 = time.perf_counter()
            model = build(1000 + s, w)
            targets = [y, T][:len(model.heads)]
            model.fit(nr.Adam(model.parameters(), lr=1e-3), X, targets, epochs=epochs, batch_size=batch, seed=s)
            _, task_loss, acc = model.evaluate(Xt, [yt, Tt][:len(model.heads)])
            accs.append(acc[0])
            mses.append(task_loss[1] if len(model.heads) > 1 else np.nan)
            times.append(time.perf_counter() - t0)
        results[name] = (np.mean(accs), np.std(accs))
        acc_s = f"{np.mean(accs):.3f} +- {np.std(accs):.3f}" if w[0] > 0 else "-"
        mse_s = f"{np.mean(mses):.5f}" if not np.isnan(mses[0]) else "-"
        print(f"{name:<34} {acc_s:>16} {mse_s:>20} {np.mean(times):>8.1f}s", flush=True)
    single = results[configs[0][0]][0]
    best = max((k for k in results if k.startswith("multitask")), key=lambda k: results[k][0])
    print(f"\nbest multitask: {best}: {results[best][0]:.3f} against {single:.3f} single-task "
          f"({100 * (results[best][0] - single):+.1f} points)")


if __name__ == "__main__":
    main()
