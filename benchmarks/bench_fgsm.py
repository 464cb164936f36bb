"""Cost of an FGSM adversarial-training step (§7.13) against a plain training step.

A plain step of ``nr.fit`` is one forward and one backward pass that stops
at the first layer (no input gradient). ``nr.FGSM.train_step`` does a
forward pass, a backward pass *to the input* (one more matrix product,
``dx = dy W1^T`` of size n x 128 x 784 for the seed network), the sign
step, and a second forward and backward pass on the adversarial batch.
The first layer dominates the cost; it does 5 products of that size
instead of 2 (forward and ``dW1`` twice, plus ``dx``), so expect 2 to 3
times a plain step -- closer to 2 per epoch, where the optimizer and the
batch gathering are shared. Timed two ways, on the seed network 784-128-128-10
(dropout 0.5), float32, batches of 256:

- per step: the step alone, repeated, best of several runs;
- per epoch: ``nr.fit`` for one epoch of 48,000 examples, plain and with
  ``adversarial=nr.FGSM(0.1)`` (includes batching, optimizer, bookkeeping).

Prints JSON.

    python benchmarks/bench_fgsm.py [--quick]
"""
import argparse
import json
import os
import platform
import time

import numpy as np

import numreg as nr


def per_step(steps, repeats, batch=256):
    rng = np.random.default_rng(0)
    data = rng.random((batch, 28, 28), dtype=np.float32)
    target = rng.integers(0, 10, batch)
    model = nr.mlp(seed=0)
    crit = nr.SoftmaxCrossEntropy()
    adv = nr.FGSM(0.1)
    model.train()

    def plain():
        output = model(data)
        loss = crit(output, target)
        model.backward(crit.backward(), input_grad=False)
        return output, loss

    def fgsm():
        return adv.train_step(model, crit, data, target)

    out = {}
    for name, f in (("plain", plain), ("fgsm", fgsm)):
        best = np.inf
        for _ in range(repeats):
            t = time.perf_counter()
            for _ in range(steps):
                f()
            best = min(best, (time.perf_counter() - t) / steps)
        out[name] = best
    return out


def per_epoch(repeats, n=48000, batch=256):
    rng = np.random.default_rng(1)
    X = rng.random((n, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n)
    out = {}
    for name, adv in (("plain", None), ("fgsm", nr.FGSM(0.1))):
        times = []
        for _ in range(repeats):
            model = nr.mlp(seed=0)
            h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X, y), epochs=1,
                       batch_size=batch, seed=0, verbose=False, adversarial=adv)
            times.append(h.epoch_time[0])
        out[name] = min(times)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    reps = 2 if args.quick else 5
    s = per_step(steps=50, repeats=reps)
    e = per_epoch(repeats=1 if args.quick else 3)
    out = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, numpy {np.__version__}, "
                   f"load average {os.getloadavg()[0]:.1f}",
        "network": "784-128-128-10, dropout 0.5, float32, batch 256",
        "step_ms": {k: round(1000 * v, 3) for k, v in s.items()},
        "step_ratio_fgsm_over_plain": round(s["fgsm"] / s["plain"], 2),
        "epoch_s (48,000 examples, Adam)": {k: round(v, 3) for k, v in e.items()},
        "epoch_ratio_fgsm_over_plain": round(e["fgsm"] / e["plain"], 2),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
