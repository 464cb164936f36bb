"""The fast forms of ``numreg.core.kernels`` against the readable references they replace.

Bit for bit where the operations are the same (SGD, masks, bias + ReLU, the
cross-entropy gradient, any block size or thread count); Adam's folded bias
corrections and the transposed log-softmax's summation order are stated and
bounded.
"""
import numpy as np
import pytest

import numreg as nr
from numreg.core import kernels
from numreg.core.losses import log_softmax
from numreg.core.optim import adam_reference, sgd_reference


def arrays(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    w, g, m = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v = (rng.random(n) * 0.1).astype(dtype)
    return w, g, m, v


def ulps(a, ref, scale):
    """|a - ref| in units in the last place of ``scale`` (elementwise)."""
    return np.abs(a.astype(np.float64) - ref.astype(np.float64)) / np.spacing(np.abs(scale)).astype(np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("wd, decoupled", [(0.0, False), (0.1, False), (0.1, True)])
@pytest.mark.parametrize("t", [1, 2, 50])
@pytest.mark.parametrize("w_start", ["random", "zero"])
def test_adam_kernel_agrees_with_algorithm_8_7(dtype, wd, decoupled, t, w_start):
    # Same real-number update, not the same bits: the kernel rounds step = lr sqrt(bc2)/bc1,
    # eps_hat = eps sqrt(bc2) and g - m where the reference rounds m/bc1, v/bc2 and beta1 m + (1 - beta1) g.
    # Bounds (measured maxima over 10^4 elements: 2, 2 and 7 ulp): the moments within 2 ulp of the size of
    # their terms, w within 1 ulp of itself plus 8 ulp of the size of the step.
    b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
    w, g, m, v = arrays(10_000, dtype)
    if w_start == "zero":
        w[:] = 0
    w0, m0 = w.copy(), m.copy()
    w2, m2, v2 = w.copy(), m.copy(), v.copy()
    kw = dict(lr=lr, beta1=b1, beta2=b2, eps=eps, t=t, weight_decay=wd, decoupled=decoupled)
    kernels.adam_(w, g, m, v, **kw)
    adam_reference(w2, g, m2, v2, **kw)
    ge = g + wd * w0 if wd and not decoupled else g
    m_size = np.abs(b1 * m0) + np.abs((1 - b1) * ge)
    step_size = (lr * m_size / (1 - b1 ** t) / (np.sqrt(v2 / (1 - b2 ** t)) + eps)).astype(dtype)
    assert ulps(m, m2, m_size).max() <= 2
    assert ulps(v, v2, v2).max() <= 2
    err = np.abs(w.astype(np.float64) - w2)
    assert np.all(err <= np.spacing(np.abs(w2)) + 8 * np.spacing(step_size))


@pytest.mark.parametrize("make", [
    lambda ps, fused: nr.SGD(ps, lr=0.1, fused=fused),
    lambda ps, fused: nr.SGD(ps, lr=0.1, momentum=0.9, fused=fused),
    lambda ps, fused: nr.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, fused=fused),
])
def test_sgd_kernel_is_bit_identical_to_the_reference(make):
    a, b = nr.mlp(20, (16, 8), 3, seed=0), nr.mlp(20, (16, 8), 3, seed=0)
    oa, ob = make(a.parameters(), True), make(b.parameters(), False)
    rng = np.random.default_rng(0)
    for _ in range(5):
        oa.zero_grad(), ob.zero_grad()
        for p, q in zip(a.parameters(), b.parameters()):
            g = rng.standard_normal(p.shape).astype(p.dtype)
            p.grad += g
            q.grad += g
        oa.step(), ob.step()
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_unfused_adam_trains_like_the_fused_one():
    a, b = nr.mlp(20, (16,), 3, seed=0), nr.mlp(20, (16,), 3, seed=0)
    oa, ob = nr.Adam(a.parameters(), lr=0.01), nr.Adam(b.parameters(), lr=0.01, fused=False)
    rng = np.random.default_rng(0)
    for _ in range(20):
        oa.zero_grad(), ob.zero_grad()
        for p, q in zip(a.parameters(), b.parameters()):
            g = rng.standard_normal(p.shape).astype(p.dtype)
            p.grad += g
            q.grad += g
        oa.step(), ob.step()
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=0, atol=1e-5)


def test_fused_must_be_a_bool():
    with pytest.raises(TypeError, match="fused=1"):
        nr.Adam(nr.Linear(2, 2).parameters(), fused=1)


@pytest.mark.parametrize("threads, block", [(1, 64), (2, 64), (2, 1000), (3, 4096), (2, kernels.BLOCK)])
def test_blocks_and_threads_do_not_change_a_bit(threads, block, monkeypatch):
    monkeypatch.setattr(kernels.elementwise, "MIN_PARALLEL", 0)          # split even small arrays between threads
    n = 50_001
    whole = kernels.ElementwisePool(1, block=1 << 20)
    pool = kernels.ElementwisePool(threads, block=block)
    kw = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, t=3, weight_decay=0.1)
    for decoupled in (False, True):
        a, b = arrays(n, np.float32), arrays(n, np.float32)
        kernels.adam_(*a, decoupled=decoupled, threads=whole, **kw)
        kernels.adam_(*b, decoupled=decoupled, threads=pool, **kw)
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    a, b = arrays(n, np.float32), arrays(n, np.float32)
    kernels.sgd_(a[0], a[1], a[2], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, threads=whole)
    kernels.sgd_(b[0], b[1], b[2], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, threads=pool)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    kernels.fill_(a[0], 0, threads=pool)
    assert not a[0].any()
    pool.resize(1)


def test_pool_uses_several_threads_and_each_its_own_scratch(monkeypatch):
    import threading
    monkeypatch.setattr(kernels.elementwise, "MIN_PARALLEL", 0)
    seen = set()

    def kernel(a, scratch, consts):
        seen.add((threading.get_ident(), id(scratch[0].base)))
        scratch[0][...] = a
        a += scratch[0]

    pool = kernels.ElementwisePool(2, block=64)
    x = np.arange(1000, dtype=np.float32)
    pool.run(kernel, [x], n_scratch=1)
    np.testing.assert_array_equal(x, 2 * np.arange(1000, dtype=np.float32))
    assert len({t for t, _ in seen}) == 2 and len({s for _, s in seen}) == 2
    pool.resize(1)


@pytest.mark.parametrize("q", [0.5, 0.75, 0.3, 0.1 + 2**-16])
def test_bernoulli_bits_is_u_below_q(q):
    # the readable definition from the same words: u = k / 2^b with k the b-bit fields, little-endian
    shape = (37, 29)
    b = kernels.bits_per_entry(q)
    words = np.random.default_rng(5).bit_generator.random_raw(-(-shape[0] * shape[1] * b // 64))
    bits = np.unpackbits(words.view(np.uint8), bitorder="little")[: shape[0] * shape[1] * b]
    k = (bits.reshape(-1, b).astype(np.float64) * 2.0 ** np.arange(b)).sum(axis=1)
    expected = (k / 2.0**b < q).reshape(shape)
    np.testing.assert_array_equal(kernels.bernoulli_bits(np.random.default_rng(5), q, shape), expected)


def test_bias_relu_is_maximum_of_y_plus_b():
    rng = np.random.default_rng(0)
    y, b = rng.standard_normal((64, 33)).astype(np.float32), rng.standard_normal(33).astype(np.float32)
    expected = np.maximum(y + b, 0)
    out = kernels.bias_relu_(y, b)
    assert out is y
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_kernel_is_maximum_with_zero_bit_for_bit(dtype):
    special = np.array([-0.0, 0.0, -1.0, 2.0, np.nan, -np.inf, np.inf, 1e-45, -1e-45], dtype)
    x = np.concatenate([special, np.random.default_rng(0).standard_normal(27).astype(dtype)])
    for shape in [(4, 9), (2, 3, 6), (36,)]:
        xs = np.tile(x, 3).reshape((3,) + shape)
        fast, ref = kernels.relu(xs), np.maximum(xs, 0)
        assert fast.dtype == ref.dtype and fast.shape == ref.shape
        np.testing.assert_array_equal(fast.view(f"u{fast.itemsize}"), ref.view(f"u{ref.itemsize}"))


def sequential_log_softmax(z):
    """Row-wise, with the exponentials added in class order (the kernel's order)."""
    z = z.astype(z.dtype)
    c = z.max(axis=1, keepdims=True)
    e = np.exp(z - c)
    s = e[:, 0].copy()
    for j in range(1, z.shape[1]):
        s += e[:, j]
    return z - c - np.log(s)[:, None]


@pytest.mark.parametrize("k", [2, 7, 10, 33])
def test_transposed_log_softmax_against_the_row_wise_one(k):
    z = np.random.default_rng(k).standard_normal((256, k)).astype(np.float32) * 5
    fast = kernels.log_softmax_t(z)
    np.testing.assert_array_equal(fast, sequential_log_softmax(z))     # the order stated in its Notes
    if k < 8:
        np.testing.assert_array_equal(fast, log_softmax(z))             # pairwise = sequential below 8
    else:
        # Each sum s of k terms in [0, 1] (s >= 1) is within (k - 1) u s of the exact one (u = 2^-24),
        # so the two log-sums differ by at most 2 (k - 1) u (plus the log's rounding), and each result
        # by that plus one rounding of its own.
        ref = log_softmax(z)
        lse = np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))
        err = np.abs(fast.astype(np.float64) - ref)
        assert np.all(err <= np.spacing(np.abs(ref)) + (k - 1) * 2.0**-23 + 2 * np.spacing(lse))


@pytest.mark.parametrize("eps, smoothing", [(0.0, "book"), (0.1, "book"), (0.2, "uniform")])
@pytest.mark.parametrize("n", [256, 100])
def test_cross_entropy_gradient_is_p_minus_t_over_n(eps, smoothing, n):
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((n, 10)).astype(np.float32), rng.integers(0, 10, n)
    loss = nr.SoftmaxCrossEntropy(eps, smoothing)
    loss.forward(z, y)
    p = np.exp(kernels.log_softmax_t(z))
    on, off = loss.targets(10)
    t = np.full((n, 10), off, np.float32)
    t[np.arange(n), y] = on
    np.testing.assert_array_equal(loss.backward(), (p - t) / n)


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "1.5", "2 threads"])
def test_numreg_threads_must_be_a_positive_integer(raw):
    with pytest.raises(ValueError, match=f"NUMREG_THREADS={raw!r}"):
        kernels.env_threads({"NUMREG_THREADS": raw})


def test_numreg_threads_read():
    assert kernels.env_threads({}) is None and kernels.env_threads({"NUMREG_THREADS": ""}) is None
    assert kernels.env_threads({"NUMREG_THREADS": " 2 "}) == 2


def test_thread_policy_obeys_numreg_threads(monkeypatch):
    before = kernels.blas_threads()
    try:
        monkeypatch.setenv("NUMREG_THREADS", "1")
        choice = kernels.apply_thread_policy()
        assert choice == {"threads": 1, "load": None, "source": "NUMREG_THREADS"}
        assert kernels.blas_threads() == 1 and kernels.pool().threads == 1
        monkeypatch.setenv("NUMREG_THREADS", "abc")
        model = nr.mlp(4, (3,), 2)
        X, y = np.zeros((4, 4), np.float32), np.array([0, 1, 0, 1])
        with pytest.raises(ValueError, match="NUMREG_THREADS='abc'"):      # fit applies the policy each epoch
            nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y), epochs=1,
                   verbose=False)
    finally:
        kernels.set_blas_threads(before)


def test_policy_keeps_its_choice_near_the_boundary(monkeypatch):
    monkeypatch.delenv("NUMREG_THREADS", raising=False)
    before = kernels.blas_threads()
    monkeypatch.setattr(kernels.threads, "available_cores", lambda: 2)
    monkeypatch.setattr(kernels._blas, "initial", 2)
    monkeypatch.setattr(kernels._blas, "set", lambda n: None)
    try:
        monkeypatch.setattr(kernels.threads, "_last_choice", [None])
        assert kernels.apply_thread_policy(load=0.0)["threads"] == 2
        assert kernels.apply_thread_policy(load=0.55)["threads"] == 2    # 1.45 free: within 0.6 of 2
        # one busy competitor while numreg holds both cores gets 2/3 of a core:
        # 1.33 free is 0.67 from 2, outside the band, so the second thread goes
        assert kernels.apply_thread_policy(load=2 / 3)["threads"] == 1
        assert kernels.apply_thread_policy(load=0.45)["threads"] == 1    # 1.55 free: within 0.6 of 1
        assert kernels.apply_thread_policy(load=0.1)["threads"] == 2
    finally:
        kernels.pool().resize(1)
        kernels.set_blas_threads(before)


def test_policy_gives_one_thread_per_free_core():
    assert kernels.free_cores(load=0.0, cores=2) == 2
    assert kernels.free_cores(load=0.9, cores=2) == 1
    assert kernels.free_cores(load=5.0, cores=2) == 1
    assert kernels.free_cores(load=0.3, cores=4) == 4
    assert kernels.LoadProbe(first_window=0.01)() >= 0.0


def test_fit_is_bit_identical_with_one_or_two_elementwise_threads(monkeypatch):
    # BLAS fixed at one thread (the policy may not change it: its products' bits depend on it);
    # only the elementwise pool changes (its passes made big enough to be split)
    before = kernels.blas_threads()
    kernels.set_blas_threads(1)
    monkeypatch.setattr(kernels._blas, "set", lambda n: None)
    monkeypatch.setattr(kernels.elementwise, "MIN_PARALLEL", 256)
    monkeypatch.setattr(kernels.elementwise, "BLOCK", 256)
    rng = np.random.default_rng(0)
    X, y = rng.random((300, 30), dtype=np.float32), rng.integers(0, 4, 300)
    weights = []
    try:
        for n in ("1", "2"):
            monkeypatch.setenv("NUMREG_THREADS", n)
            kernels.pool().block = 256
            m = nr.mlp(30, (40,), 4, dropout=0.5, seed=0)
            kernels.apply_thread_policy()
            assert kernels.pool().threads == int(n) and kernels.blas_threads() == 1
            nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters()), (X, y), epochs=2, batch_size=64,
                   seed=0, verbose=False)
            weights.append([p.data.copy() for p in m.parameters()])
    finally:
        kernels.pool().block = 32768
        kernels.pool().resize(1)
        kernels.set_blas_threads(before)
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_gets_a_working_pool(monkeypatch):
    import os
    monkeypatch.setattr(kernels.elementwise, "MIN_PARALLEL", 0)
    kernels.pool().resize(2)
    n = 4 * kernels.BLOCK                      # several blocks: the pass is split between the threads
    x = np.ones(n, np.float32)
    kernels.fill_(x, 3.0)                      # the parent's workers exist now
    pid = os.fork()
    if pid == 0:                               # child: the parent's worker threads are gone
        try:
            y = np.ones(n, np.float32)
            kernels.fill_(y, 2.0, threads=kernels.ElementwisePool(2, block=64))
            kernels.pool().resize(2)
            kernels.fill_(y, 5.0)
            os._exit(0 if np.all(y == 5.0) else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    kernels.pool().resize(1)
    assert os.WEXITSTATUS(status) == 0


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("cls, wd", [(nr.Adam, 0.0), (nr.Adam, 0.1), (nr.AdamW, 0.1)])
def test_both_adam_forms_follow_pytorchs_rule_in_float64(cls, wd, fused):
    # torch.optim.Adam / AdamW written out (as tests/core/test_optim.py), for the kernel and the reference
    grads = [np.array([0.5, -1.0]), np.array([0.1, 0.3]), np.array([-0.4, 0.2])]
    p = nr.Parameter(np.array([1.0, 2.0]), "w", True)
    opt = cls([p], lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=wd, fused=fused)
    w, m, v = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
    for t, g in enumerate(grads, 1):
        opt.zero_grad()
        p.grad += g
        opt.step()
        if cls is nr.AdamW:
            w = w * (1 - 0.01 * wd)
        else:
            g = g + wd * w
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        w = w - 0.01 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.9 ** t)) + 1e-6)
        np.testing.assert_allclose(p.data, w, rtol=1e-12)
