"""Forward + backward of a 2-convolution LeNet per batch: numreg against its GEMM floor and PyTorch CPU. Prints JSON.

The network is the LeNet of ``experiments/lenet_vs_mlp.py``: Conv2d(1,6,5)
ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2) Flatten Linear(256,120)
ReLU Linear(120,10), float32, on a batch of ``--batch`` random 28x28 images.
One *step* is what ``nr.fit`` does apart from the optimizer: zero the
gradients, forward, softmax cross-entropy, backward (no ``dx`` for the first
layer, whose input is data). Three things are timed, in alternation,
``--repeats`` times ``--steps`` steps each:

- ``numreg``: the step above with numreg's layers;
- ``gemm_floor``: the matrix products of the step alone, on the same shapes,
  with NumPy's BLAS: per convolution ``W cols`` and ``dy cols^T`` (plus
  ``W^T dy`` for the second one), per ``Linear`` ``x W``, ``x^T dy`` and
  ``dy W^T``: 10 products, the im2col copies, col2im, pooling and
  activations excluded;
- ``torch``: the same network in PyTorch with the same weights
  (``torch.nn``, ``zero_grad()``, forward, ``cross_entropy``, ``backward``),
  with ``torch.set_num_threads`` equal to NumPy's BLAS threads, if ``torch``
  can be imported; else ``"torch": null`` and the reason. Before timing, the
  two networks' losses and gradients are compared (``check``).

For each: ``ms_per_step`` (the minimum over the repeats of a block's mean
step), ``median_step_ms`` (median of every step), and with one BLAS thread
``cpu_ms_per_step`` (``time.thread_time``: not counting the time other
processes hold the core; PyTorch with one thread computes on the calling
thread too). ``ratios`` divides numreg by the floor and by PyTorch; the
target (issue 14) is numreg <= 2 x PyTorch. ``--breakdown`` adds the
milliseconds of each layer's forward and backward (median over the steps;
CPU time with one BLAS thread, else wall time).
``load_average`` is read before and after.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_conv.py                # batch 128, 1 thread (+ CPU time)
    python benchmarks/bench_conv.py --batch 64 --repeats 7 --breakdown
    python benchmarks/bench_conv.py --quick
"""
import argparse
import json
import os
import sys
import time
from collections import defaultdict

import numpy as np

import numreg as nr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_train import blas_threads, machine  # noqa: E402


def lenet(seed=0):
    """The benchmarked network (as ``experiments/lenet_vs_mlp.lenet``), float32."""
    return nr.Sequential(nr.Conv2d(1, 6, 5), nr.ReLU(), nr.MaxPool2d(2), nr.Conv2d(6, 16, 5), nr.ReLU(),
                         nr.MaxPool2d(2), nr.Flatten(), nr.Linear(256, 120), nr.ReLU(), nr.Linear(120, 10), seed=seed)


def batch_data(batch, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)


def numreg_step(model, criterion, x, y):
    """zero_grad, forward, loss, backward without ``dx`` (as ``nr.fit``, no optimizer); returns the loss."""
    for p in model.parameters():
        p.grad.fill(0)
    loss = criterion.forward(model.forward(x), y)
    model.backward(criterion.backward(), input_grad=False)
    return loss


def floor_step(ops):
    for a, b in ops:
        a @ b


def floor_operands(batch, dtype=np.float32, seed=2):
    """The 10 products of one step (see the module's docstring) as ``(A, B)`` pairs of random arrays."""
    rng = np.random.default_rng(seed)

    def r(*shape):
        return rng.standard_normal(shape).astype(dtype)

    n1, n2 = batch * 24 * 24, batch * 8 * 8
    cols1, cols2 = r(25, n1), r(150, n2)
    dy1, dy2 = r(6, n1), r(16, n2)
    x3, dy3, x4, dy4 = r(batch, 256), r(batch, 120), r(batch, 120), r(batch, 10)
    return [(r(6, 25), cols1), (dy1, cols1.T),                                  # conv1: W cols, dy cols^T
            (r(16, 150), cols2), (dy2, cols2.T), (r(150, 16), dy2),             # conv2: ... and W^T dy
            (x3, r(256, 120)), (x3.T, dy3), (dy3, r(120, 256)),                 # Linear(256, 120)
            (x4, r(120, 10)), (x4.T, dy4), (dy4, r(10, 120))]                   # Linear(120, 10)


def torch_twin(model, threads):
    """The same network in PyTorch with numreg's weights, or ``(None, reason)``."""
    try:
        import torch
    except ImportError as e:
        return None, f"torch is not importable ({e}); pip install torch (the 'bench' extra)"
    torch.set_num_threads(threads)
    tnn = torch.nn
    net = tnn.Sequential(tnn.Conv2d(1, 6, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(6, 16, 5), tnn.ReLU(),
                         tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(256, 120), tnn.ReLU(), tnn.Linear(120, 10))
    with torch.no_grad():
        for ours, theirs in zip([m for m in model if m.parameters()], [m for m in net if list(m.parameters())]):
            W = ours.W.data if isinstance(ours, nr.Conv2d) else ours.W.data.T     # nr.Linear keeps W as (in, out)
            theirs.weight.copy_(torch.from_numpy(np.ascontiguousarray(W)))
            theirs.bias.copy_(torch.from_numpy(ours.b.data))
    return (torch, net), None


def torch_step(torch, net, xt, yt):
    net.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(xt), yt)
    loss.backward()
    return loss


def check(model, criterion, x, y, torch, net):
    """Largest differences between numreg's and PyTorch's loss and parameter gradients (float32)."""
    loss = numreg_step(model, criterion, x, y)
    tl = torch_step(torch, net, torch.from_numpy(x), torch.from_numpy(y))
    ours = [p.grad for p in model.parameters()]
    theirs = []
    for m in net:
        if list(m.parameters()):
            g = m.weight.grad.numpy()
            theirs += [g.T if isinstance(m, torch.nn.Linear) else g, m.bias.grad.numpy()]
    rel = max(float(np.abs(a - b).max() / (np.abs(b).max() + 1e-30)) for a, b in zip(ours, theirs))
    return {"loss_numreg": round(float(loss), 6), "loss_torch": round(float(tl.detach()), 6),
            "max_relative_grad_difference": float(f"{rel:.3g}")}


def timed(step, steps):
    """Run ``step()`` ``steps`` times: each step's wall seconds and the block's CPU seconds of this thread."""
    walls = np.empty(steps)
    cpu = time.thread_time()
    for i in range(steps):
        t = time.perf_counter()
        step()
        walls[i] = time.perf_counter() - t
    return walls, time.thread_time() - cpu


def breakdown(model, criterion, x, y, steps, clock=time.perf_counter):
    """Median milliseconds of each layer's forward and backward (and the loss) over ``steps`` steps.

    ``clock`` is ``time.thread_time`` with one BLAS thread (CPU time: a layer is not charged for the time
    another process held the core), else ``time.perf_counter``.
    """
    times = defaultdict(list)
    first = model._first_param_layer()
    for _ in range(steps):
        for p in model.parameters():
            p.grad.fill(0)
        h = x
        for i, layer in enumerate(model):
            t = clock()
            h = layer.forward(h)
            times[f"{i} {type(layer).__name__} forward"].append(clock() - t)
        t = clock()
        criterion.forward(h, y)
        dy = criterion.backward()
        times["loss forward + backward"].append(clock() - t)
        for i in range(len(model) - 1, first - 1, -1):
            t = clock()
            if i == first:
                model[i].backward_params(dy)
            else:
                dy = model[i].backward(dy)
            times[f"{i} {type(model[i]).__name__} backward"].append(clock() - t)
    return {k: round(1e3 * float(np.median(v)), 4) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=128, help="images per batch (default 128)")
    ap.add_argument("--steps", type=int, default=30, help="steps per timed block (default 30)")
    ap.add_argument("--repeats", type=int, default=5, help="blocks of each, in alternation (default 5)")
    ap.add_argument("--breakdown", action="store_true", help="also time each layer of numreg's step")
    ap.add_argument("--quick", action="store_true", help="--steps 5 --repeats 1")
    args = ap.parse_args(argv)
    steps, repeats = (5, 1) if args.quick else (args.steps, args.repeats)
    load_before = os.getloadavg()
    threads = blas_threads() or int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count()))
    model, criterion = lenet(), nr.SoftmaxCrossEntropy()
    x, y = batch_data(args.batch)
    ops = floor_operands(args.batch)
    twin, reason = torch_twin(model, threads)
    out = {"network": "LeNet 1x28x28: conv(6,5) relu pool2 conv(16,5) relu pool2 256-120-10, float32",
           "batch": args.batch, "steps_per_block": steps, "repeats": repeats, "threads": threads}
    runners = {"gemm_floor": lambda: floor_step(ops), "numreg": lambda: numreg_step(model, criterion, x, y)}
    if twin is not None:
        torch, net = twin
        out["torch_version"] = torch.__version__
        out["check"] = check(model, criterion, x, y, torch, net)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        runners["torch"] = lambda: torch_step(torch, net, xt, yt)
    for run in runners.values():                     # warm-up: allocations, BLAS buffers, oneDNN primitives
        timed(run, 3)
    best, walls = defaultdict(lambda: np.inf), defaultdict(list)
    for _ in range(repeats):
        for name, run in runners.items():
            w, cpu = timed(run, steps)
            best[name] = min(best[name], w.mean())
            best[name + "_cpu"] = min(best[name + "_cpu"], cpu / steps)
            walls[name].append(w)
    one_thread = threads == 1
    for name in runners:
        out[name] = {"ms_per_step": round(1e3 * best[name], 3),
                     "median_step_ms": round(1e3 * float(np.median(np.concatenate(walls[name]))), 3)}
        if one_thread:
            out[name]["cpu_ms_per_step"] = round(1e3 * best[name + "_cpu"], 3)
    if twin is None:
        out["torch"], out["torch_reason"] = None, reason
    ratios = {"numreg_over_floor": round(best["numreg"] / best["gemm_floor"], 3)}
    if twin is not None:
        ratios["numreg_over_torch"] = round(best["numreg"] / best["torch"], 3)
        ratios["torch_over_floor"] = round(best["torch"] / best["gemm_floor"], 3)
        if one_thread:
            ratios["numreg_over_torch_cpu"] = round(best["numreg_cpu"] / best["torch_cpu"], 3)
        ratios["target_numreg_within_2x_torch"] = bool(ratios["numreg_over_torch"] <= 2.0)
    out["ratios"] = ratios
    if args.breakdown:
        clock, what = (time.thread_time, "cpu") if one_thread else (time.perf_counter, "wall")
        out[f"numreg_breakdown_median_{what}_ms"] = breakdown(model, criterion, x, y, steps * repeats, clock)
    out["machine"] = machine()
    out["machine"]["load_average_before"] = load_before
    out["machine"]["load_average_after"] = os.getloadavg()
    out["machine"].pop("load_average", None)
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
