"""Throughput of ``numreg.augment.affine`` against ``scipy.ndimage.affine_transform``.

Warps a batch of random 28x28 float32 images, each with its own random
rotation, scale, shear and shift, once with numreg (one vectorized call) and
once with scipy called image by image (``order=1``, ``mode='grid-constant'``,
the same zero padding), and prints one JSON object::

    python benchmarks/bench_augment.py [--n 20000] [--repeat 3] [--seed 0]

Fields: ``numreg_images_per_s``, ``scipy_images_per_s`` (null without scipy),
``ratio`` (numreg / scipy), ``max_abs_diff`` between the two results.

``epoch`` (skipped with ``--epoch-n 0``): what augmentation adds to one
training epoch of the seed network (784-128-128-10, dropout 0.5, Adam,
batches of 256, ``--epoch-n`` 28x28 images, 48,000 by default as the seed's
training split): seconds per epoch through ``nr.fit`` without augmentation
and with ``RandomAffine()``, ``ElasticDistortion()`` and both composed, the
overhead in percent, and the seconds the augmentation alone takes per epoch.
"""
import argparse
import json
import time

import numpy as np

from numreg.image import affine, inverse_matrix


def best_time(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20000, help="images in the batch (default 20000)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs, best kept (default 3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the images and parameters")
    p.add_argument("--epoch-n", type=int, default=48000,
                   help="images in the seed-network epoch whose augmentation cost is timed (0: skip)")
    args = p.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    n, H, W = args.n, 28, 28
    X = rng.random((n, H, W), dtype=np.float32)
    angle, scale = rng.uniform(-15, 15, n), rng.uniform(0.9, 1.1, n)
    shear, shift = rng.uniform(-10, 10, n), rng.uniform(-2, 2, (n, 2))

    t_nr, out = best_time(lambda: affine(X, angle=angle, scale=scale, shift=shift, shear=shear),
                          args.repeat)
    result = {"n": n, "image_shape": [H, W], "dtype": "float32",
              "numreg_seconds": t_nr, "numreg_images_per_s": n / t_nr,
              "scipy_seconds": None, "scipy_images_per_s": None, "ratio": None,
              "max_abs_diff": None}
    if args.epoch_n > 0:
        result["epoch"] = epoch_cost(args.epoch_n, repeat=max(1, args.repeat - 1), seed=args.seed)
    try:
        from scipy import ndimage
    except ImportError:
        print(json.dumps(result, indent=2))
        return result

    A = inverse_matrix(angle, scale, shear, n)
    centre = np.array([(H - 1) / 2, (W - 1) / 2])
    offsets = centre - np.einsum("nij,nj->ni", A, centre + shift)

    def scipy_loop():
        ref = np.empty_like(X)
        for i in range(n):
            ndimage.affine_transform(X[i], A[i], offsets[i], output=ref[i], order=1,
                                     mode="grid-constant", cval=0.0)
        return ref

    t_sp, ref = best_time(scipy_loop, args.repeat)
    result.update(scipy_seconds=t_sp, scipy_images_per_s=n / t_sp, ratio=t_sp / t_nr,
                  max_abs_diff=float(np.abs(out - ref).max()))
    print(json.dumps(result, indent=2))
    return result


def epoch_cost(n=48000, batch_size=256, repeat=2, seed=0):
    """Seconds per epoch of the seed network through ``nr.fit``, with and without augmentation.

    Returns a dict: ``n``, ``batch_size``, ``seconds`` ``{augmentation: best epoch time}``,
    ``overhead_percent`` ``{augmentation: 100 * (t / t_none - 1)}``, and
    ``augment_only_seconds`` ``{augmentation: time of calling it on every batch of an epoch}``.
    """
    import numreg as nr
    from numreg.regularize.s7_04_augmentation.augment import Compose, ElasticDistortion, RandomAffine

    rng = np.random.default_rng(seed)
    X = rng.random((n, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n)
    makers = {"none": lambda: None,
              "RandomAffine()": lambda: RandomAffine(seed=seed),
              "ElasticDistortion()": lambda: ElasticDistortion(seed=seed),
              "RandomAffine+Elastic": lambda: Compose(RandomAffine(), ElasticDistortion(), seed=seed)}
    seconds, alone = {}, {}
    for name, make in makers.items():
        best = float("inf")
        for _ in range(repeat):
            model = nr.mlp(seed=seed)
            h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X, y), epochs=1,
                       batch_size=batch_size, seed=seed, verbose=False, augment=make())
            best = min(best, h.epoch_time[0])
        seconds[name] = best
        aug = make()
        if aug is not None:
            t = time.perf_counter()
            for start in range(0, n, batch_size):
                aug(X[start:start + batch_size])
            alone[name] = time.perf_counter() - t
    base = seconds["none"]
    return {"n": n, "batch_size": batch_size, "seconds": seconds,
            "overhead_percent": {k: 100 * (v / base - 1) for k, v in seconds.items() if k != "none"},
            "augment_only_seconds": alone}


if __name__ == "__main__":
    main()
