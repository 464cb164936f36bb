"""Cost of a VAT step (§7.13) and a tangent-prop step (§7.14, Eq. 7.67) against a plain training step.

A plain step of ``nr.fit``: one forward pass, one backward pass that stops at
the first layer. The others, on the seed network 784-128-128-10 (dropout
0.5), float32, batches of 256 random images:

- ``nr.VAT(1.0, xi=1e-2)``: the plain step, then a forward pass for ``p_hat``, one power
  iteration (forward and backward *to the input*), and the LDS pass (forward and
  backward): expect 4-6 times a plain step (the first layer's products dominate);
  ``xi=0`` swaps the power iteration's forward pass for a forward-mode pass;
- ``nr.TangentProp(0.01, T tangents)``: the plain step, the ``T`` tangent images
  (image gradients), a forward-mode pass carrying ``T`` tangents per example and the
  reverse pass of the tangent: the first layer does ``2T + 2`` products instead of 2.

Timed per step (the step alone, best of ``--repeats``) and per epoch of ``nr.fit``
(``--n`` examples). Prints JSON.

    python benchmarks/bench_vat_tangent_prop.py [--quick]
"""
import argparse
import json
import os
import platform
import time

import numpy as np

import numreg as nr


def steppers():
    return {
        "VAT xi=1e-2": lambda: nr.VAT(1.0, xi=1e-2, seed=0),
        "VAT xi=0": lambda: nr.VAT(1.0, xi=0.0, seed=0),
        "TangentProp T=2": lambda: nr.TangentProp(0.01, ("translate_x", "translate_y")),
        "TangentProp T=5": lambda: nr.TangentProp(0.01),
    }


def per_step(steps, repeats, batch=256):
    rng = np.random.default_rng(0)
    data = rng.random((batch, 28, 28), dtype=np.float32)
    target = rng.integers(0, 10, batch)
    crit = nr.SoftmaxCrossEntropy()

    def plain(model):
        out = model(data)
        crit(out, target)
        model.backward(crit.backward(), input_grad=False)

    def timed(step):
        model = nr.mlp(seed=0)
        best = np.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(steps):
                step(model)
            best = min(best, (time.perf_counter() - t0) / steps)
        return best

    out = {"plain": timed(plain)}
    for name, make in steppers().items():
        adv = make()
        out[name] = timed(lambda m: adv.train_step(m, crit, data, target))
    return out


def per_epoch(n, repeats):
    rng = np.random.default_rng(0)
    X = rng.random((n, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n)
    crit = nr.SoftmaxCrossEntropy()

    def timed(make):
        best = np.inf
        for _ in range(repeats):
            model = nr.mlp(seed=0)
            t0 = time.perf_counter()
            nr.fit(model, crit, nr.Adam(model.parameters()), (X, y), epochs=1, batch_size=256, seed=0,
                   verbose=False, adversarial=make())
            best = min(best, time.perf_counter() - t0)
        return best

    out = {"plain": timed(lambda: None)}
    for name, make in steppers().items():
        out[name] = timed(make)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer steps and a smaller epoch")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=48000, help="examples per epoch")
    args = ap.parse_args()
    steps, n = (5, 5120) if args.quick else (20, args.n)
    step = per_step(steps, args.repeats)
    epoch = per_epoch(n, args.repeats)
    print(json.dumps({
        "machine": {"python": platform.python_version(), "numpy": np.__version__,
                    "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")},
        "seconds_per_step": step,
        "step_ratio_to_plain": {k: v / step["plain"] for k, v in step.items()},
        "seconds_per_epoch": epoch, "epoch_examples": n,
        "epoch_ratio_to_plain": {k: v / epoch["plain"] for k, v in epoch.items()},
    }, indent=1))


if __name__ == "__main__":
    main()
