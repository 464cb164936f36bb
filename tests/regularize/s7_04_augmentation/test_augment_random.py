"""nr.augment.RandomAffine, ElasticDistortion, Compose: the random parameters' statistics, determinism,
the Gaussian smoothing against scipy, and fit applying augmentation to training batches only."""
import numpy as np
import pytest

import numreg as nr
from numreg.regularize.s7_04_augmentation.augment import Compose, ElasticDistortion, RandomAffine, affine


@pytest.fixture
def X():
    return np.random.default_rng(0).random((16, 28, 28)).astype(np.float32)


def uniform_ok(v, lo, hi):
    """v looks like U(lo, hi): in range, mean and variance within 4 standard errors, 10-bin chi-square."""
    n = len(v)
    assert v.min() >= lo and v.max() <= hi
    mean, var = (lo + hi) / 2, (hi - lo) ** 2 / 12
    assert abs(v.mean() - mean) < 4 * np.sqrt(var / n)
    assert abs(v.var() - var) < 4 * var * np.sqrt(0.8 / n)     # var of U's sample variance: 0.8 var^2 / n
    counts = np.histogram(v, bins=10, range=(lo, hi))[0]
    assert np.sum((counts - n / 10) ** 2 / (n / 10)) < 27.9      # 9 dof, P = 0.001


# -- RandomAffine ---------------------------------------------------------------------

def test_random_affine_parameter_distributions():
    n = 100000
    p = RandomAffine(seed=0).sample(n, (28, 28))
    uniform_ok(p["angle"], -15, 15)
    uniform_ok(p["scale"], 0.9, 1.1)
    uniform_ok(p["shift"][:, 0], -2.8, 2.8)        # 10% of 28 pixels, down
    uniform_ok(p["shift"][:, 1], -2.8, 2.8)        # and right
    np.testing.assert_array_equal(p["shear"], 0)
    # independent draws: correlations within 4 / sqrt(n)
    keys = [p["angle"], p["scale"], p["shift"][:, 0], p["shift"][:, 1]]
    c = np.corrcoef(keys)
    assert np.all(np.abs(c[np.triu_indices(4, 1)]) < 4 / np.sqrt(n))


def test_random_affine_translate_is_horizontal_then_vertical():
    # As torchvision: translate=(a, b) -> |dx| < a * width, |dy| < b * height.
    p = RandomAffine(degrees=0, translate=(0.1, 0.25), seed=1).sample(20000, (20, 40))
    dy, dx = p["shift"][:, 0], p["shift"][:, 1]
    assert dx.max() <= 4 and dx.max() > 3.9           # 0.1 * 40
    assert dy.max() <= 5 and dy.max() > 4.9           # 0.25 * 20
    q = RandomAffine(degrees=(10, 30), shear=5, seed=1).sample(20000, (28, 28))
    uniform_ok(q["angle"], 10, 30)
    uniform_ok(q["shear"], -5, 5)


def test_random_affine_applies_the_sampled_warp(X):
    aug = RandomAffine(degrees=20, shear=8, seed=3)
    state = aug.rng.bit_generator.state
    out = aug(X)
    aug.rng.bit_generator.state = state
    p = aug.sample(len(X), (28, 28))
    np.testing.assert_array_equal(out, affine(X, **p))
    assert out.dtype == np.float32
    # fixed "ranges": 90 degrees exactly is np.rot90 (counter-clockwise as displayed)
    rot = RandomAffine(degrees=(90, 90), scale=None, translate=None, seed=0)(X)
    np.testing.assert_array_equal(rot, np.rot90(X, axes=(1, 2)))


def test_random_affine_deterministic_and_flat(X):
    a = RandomAffine(seed=5)(X)
    b = RandomAffine(seed=5)(X.reshape(16, -1))
    assert b.shape == (16, 784)
    np.testing.assert_array_equal(a, b.reshape(16, 28, 28))
    aug = RandomAffine(seed=5)
    assert not np.array_equal(aug(X), aug(X))             # a new draw at every call
    non_square = RandomAffine(seed=0, image_shape=(7, 4))(np.ones((3, 28), np.float32))
    assert non_square.shape == (3, 28)


def test_defaults_are_in_the_safe_range():
    aug = RandomAffine()
    assert aug.degrees == (-15, 15) and aug.scale == (0.9, 1.1) and aug.translate == (0.1, 0.1)
    assert aug.shear == (0, 0)
    e = ElasticDistortion()
    assert (e.alpha, e.sigma) == (34.0, 4.0)                # Simard et al. (2003)


# -- ElasticDistortion -----------------------------------------------------------------

def test_elastic_smoothing_equals_scipy_gaussian_filter():
    ndimage = pytest.importorskip("scipy.ndimage")
    e = ElasticDistortion(alpha=1.0, sigma=3.0, seed=0)
    u = np.random.default_rng(1).uniform(-1, 1, (4, 2, 28, 20))
    mine = e.smoothing_matrix(28) @ u @ e.smoothing_matrix(20).T
    ref = ndimage.gaussian_filter(u, sigma=(0, 0, 3, 3), mode="constant", truncate=4.0)
    np.testing.assert_allclose(mine, ref, atol=1e-14)
    # and displacement() is exactly alpha * that for its own uniform draws
    e = ElasticDistortion(alpha=7.0, sigma=3.0, seed=2)
    d = e.displacement(4, (28, 20), np.float64)
    u = np.random.default_rng(2).uniform(-1, 1, (4, 2, 28, 20))
    np.testing.assert_allclose(d, 7.0 * ndimage.gaussian_filter(u, (0, 0, 3, 3), mode="constant"), atol=1e-12)


def test_elastic_field_statistics():
    # d[i, j] = alpha sum_kl GH[i, k] GW[j, l] u[k, l], u ~ U(-1, 1) of variance 1/3, so
    # Var d[i, j] = alpha^2 / 3 * (sum_k GH[i, k]^2) (sum_l GW[j, l]^2), exactly.
    e = ElasticDistortion(alpha=34.0, sigma=4.0, seed=0)
    d = e.displacement(3000, (28, 28), np.float64)
    G = e.smoothing_matrix(28)
    var = 34.0 ** 2 / 3 * np.outer((G ** 2).sum(1), (G ** 2).sum(1))
    emp = d.var(axis=0)                                    # (2, 28, 28)
    assert abs(d.mean()) < 0.05
    np.testing.assert_allclose(emp.mean(axis=0), var, rtol=0.15)          # per pixel: SE ~ 2.6%
    assert emp.mean() == pytest.approx(var.mean(), rel=0.02)
    # smooth: neighbours are almost equal (Gaussian autocorrelation exp(-1/(4 sigma^2)) = 0.98);
    # row and column fields independent.
    centre = d[:, :, 8:20, 8:20]
    r = np.corrcoef(centre[:, :, :, :-1].ravel(), centre[:, :, :, 1:].ravel())[0, 1]
    assert r > 0.95
    assert abs(np.corrcoef(d[:, 0].ravel(), d[:, 1].ravel())[0, 1]) < 0.02
    # sigma = 0: no smoothing, independent U(-alpha, alpha) per pixel
    raw = ElasticDistortion(alpha=2.0, sigma=0, seed=0).displacement(500, (10, 10), np.float64)
    uniform_ok(raw.ravel(), -2, 2)
    assert abs(np.corrcoef(raw[..., :-1].ravel(), raw[..., 1:].ravel())[0, 1]) < 0.02


def test_elastic_zero_alpha_is_the_identity_and_constant_field_is_a_shift(X):
    np.testing.assert_array_equal(ElasticDistortion(alpha=0.0, seed=0)(X), X)
    # A field of exactly (-1, 0) everywhere samples the pixel above: a shift down by 1.
    e = ElasticDistortion(seed=0)
    e.displacement = lambda n, shape, dtype=np.float32: np.stack(
        [-np.ones((n,) + shape, dtype), np.zeros((n,) + shape, dtype)], axis=1)
    np.testing.assert_array_equal(e(X), affine(X, shift=(1, 0)))


def test_elastic_deterministic_shape_dtype(X):
    a = ElasticDistortion(seed=3)(X)
    np.testing.assert_array_equal(a, ElasticDistortion(seed=3)(X.reshape(16, -1)).reshape(X.shape))
    assert a.dtype == np.float32 and not np.array_equal(a, X)
    assert ElasticDistortion(seed=3)(X.astype(np.float64)).dtype == np.float64


# -- Compose and generator state ---------------------------------------------------------

def test_compose_order_and_shared_generator(X):
    c = Compose(lambda x: 2 * x, lambda x: x + 1)
    np.testing.assert_array_equal(c(X), 2 * X + 1)              # in order: 2x, then +1
    aug = Compose([RandomAffine(), ElasticDistortion()], seed=0)
    assert aug.transforms[0].rng is aug.rng is aug.transforms[1].rng
    np.testing.assert_array_equal(aug(X), Compose(RandomAffine(), ElasticDistortion(), seed=0)(X))
    # without a seed, the first child's generator is shared: reproducible from its seed
    a = Compose(RandomAffine(seed=4), ElasticDistortion())(X)
    b = Compose(RandomAffine(seed=4), ElasticDistortion(seed=99))(X)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="transform 1"):
        Compose(RandomAffine(), 3)


@pytest.mark.parametrize("make", [lambda: RandomAffine(seed=0), lambda: ElasticDistortion(seed=0),
                                  lambda: Compose(RandomAffine(), ElasticDistortion(), nr.GaussianNoise(0.1),
                                                  seed=0)])
def test_rng_state_resumes_the_stream(make, X):
    # What a checkpoint does: save rng's state, later restore it -> the same draws again.
    aug = make()
    aug(X)
    state = aug.rng.bit_generator.state
    a = aug(X)
    aug.rng.bit_generator.state = state
    np.testing.assert_array_equal(aug(X), a)
    assert aug.generators() == [aug.rng]


# -- fit: training batches only ------------------------------------------------------------

class Recorder:
    """An augmentation that records what it is given and sets it to zero."""

    def __init__(self):
        self.seen = []

    def __call__(self, data):
        self.seen.append(data.copy())
        return np.zeros_like(data)


def test_fit_augments_training_batches_only():
    rng = np.random.default_rng(0)
    Xt = rng.random((40, 4, 4)).astype(np.float32) + 10     # training pixels in [10, 11)
    Xv = rng.random((15, 4, 4)).astype(np.float32) - 10     # validation pixels in [-10, -9)
    yt, yv = rng.integers(0, 3, 40), rng.integers(0, 3, 15)
    model = nr.Sequential(nr.Flatten(), nr.Linear(16, 3), seed=0)
    rec = Recorder()
    crit = nr.SoftmaxCrossEntropy()
    hist = nr.fit(model, crit, nr.SGD(model.parameters(), lr=0.1), (Xt, yt), valid=(Xv, yv), epochs=3,
                  batch_size=16, seed=0, verbose=False, augment=rec)
    # 3 epochs x ceil(40 / 16) = 9 batches, 120 rows, every one a training example
    assert len(rec.seen) == 9 and sum(len(b) for b in rec.seen) == 120
    seen = np.concatenate(rec.seen).reshape(120, -1)
    assert seen.min() >= 10
    train_rows = {r.tobytes() for r in Xt.reshape(40, -1)}
    assert all(r.tobytes() in train_rows for r in seen)
    # each epoch saw each training example once
    for e in range(3):
        rows = np.concatenate(rec.seen[3 * e:3 * e + 3]).reshape(40, -1)
        assert {r.tobytes() for r in rows} == train_rows
    # validation used the clean data: its loss is the evaluation on the untouched Xv
    assert hist.valid_loss[-1] == pytest.approx(nr.evaluate(model, crit, Xv, yv)[0])
    np.testing.assert_array_equal(Xt.min() >= 10, True)     # and the training set was not modified


def test_fit_with_random_affine_is_deterministic():
    rng = np.random.default_rng(0)
    X = rng.random((48, 8, 8)).astype(np.float32)
    y = rng.integers(0, 2, 48)

    def run(aug):
        model = nr.Sequential(nr.Flatten(), nr.Linear(64, 2), seed=0)
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y), epochs=2,
               batch_size=16, seed=0, verbose=False, augment=aug)
        return model.state_dict()["1.W"]

    a, b, c = run(RandomAffine(seed=1)), run(RandomAffine(seed=1)), run(None)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# -- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("make, arg", [
    (lambda: RandomAffine(degrees=-5), "degrees=-5"),
    (lambda: RandomAffine(degrees=(10, 5)), "degrees"),
    (lambda: RandomAffine(scale=(0.0, 1.1)), "scale"),
    (lambda: RandomAffine(scale=(1.2, 1.1)), "scale"),
    (lambda: RandomAffine(translate=(1.5, 0.1)), "translate"),
    (lambda: RandomAffine(shear=90), "shear"),
    (lambda: RandomAffine(order=2), "order=2"),
    (lambda: ElasticDistortion(alpha=-1), "alpha=-1"),
    (lambda: ElasticDistortion(sigma=float("nan")), "sigma=nan"),
])
def test_bad_parameters(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


@pytest.mark.parametrize("aug", [RandomAffine(seed=0), ElasticDistortion(seed=0)])
def test_bad_images(aug):
    with pytest.raises(ValueError, match="image_shape"):
        aug(np.zeros((2, 12), np.float32))                  # 12 pixels: not square
    with pytest.raises(ValueError, match="shape"):
        aug(np.zeros((2, 1, 4, 4), np.float32))
    with pytest.raises(ValueError, match="image_shape"):
        type(aug)(image_shape=(3, 5))(np.zeros((2, 16), np.float32))


def test_checkpoint_resume_continues_the_augmentation_and_weight_noise_streams(tmp_path):
    # fit(checkpoint=...) saves augment's and weight_noise's generators: a run stopped after
    # 2 epochs and resumed with freshly built (differently seeded) objects ends bit-identical.
    rng = np.random.default_rng(0)
    X = rng.random((48, 8, 8)).astype(np.float32)
    y = rng.integers(0, 3, 48)

    def run(epochs, aug_seed, **kw):
        model = nr.Sequential(nr.Flatten(), nr.Linear(64, 8), nr.ReLU(), nr.Linear(8, 3), seed=0)
        aug = Compose(RandomAffine(), ElasticDistortion(alpha=4.0, sigma=2.0), seed=aug_seed)
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X, y), epochs=epochs,
               batch_size=16, seed=0, verbose=False, augment=aug, weight_noise=nr.WeightNoise(1e-3, seed=aug_seed),
               **kw)
        return model.state_dict()

    full = run(4, 1)
    ckpt = tmp_path / "run.npz"
    run(2, 1, checkpoint=ckpt)
    resumed = run(4, 99, checkpoint=ckpt, resume=ckpt)
    for k in full:
        np.testing.assert_array_equal(resumed[k], full[k])
    other = run(4, 99)
    assert any(not np.array_equal(other[k], full[k]) for k in full)
