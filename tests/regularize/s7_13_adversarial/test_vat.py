"""Virtual adversarial training (§7.13): KL gradients, the power iteration, the LDS gradient, fit."""
import numpy as np
import pytest

import numreg as nr
from numreg.core.losses import softmax
from numreg.gradcheck import numerical_gradient, rel_error
from numreg.regularize.s7_13_adversarial.vat import (VAT, kl_divergence, kl_hessian_vector_product,
                                                     kl_input_gradient, virtual_adversarial_direction)


def small(seed=0, dropout=False, d=5):
    layers = [nr.Linear(d, 8), nr.Tanh()] + ([nr.Dropout(0.3)] if dropout else []) + [nr.Linear(8, 4)]
    return nr.Sequential(*layers, seed=seed).astype(np.float64)


def batch(n=6, d=5, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, 4, n)


def test_kl_divergence_known_values():
    p = np.array([[0.5, 0.5, 0.0]])
    logits = np.log(np.array([[0.25, 0.5, 0.25]]))
    assert kl_divergence(p, logits)[0] == pytest.approx(0.5 * np.log(2.0))
    assert kl_divergence(softmax(logits), logits)[0] == pytest.approx(0.0, abs=1e-15)


def test_kl_input_gradient_by_central_differences():
    model = small()
    X, _ = batch()
    p_hat = softmax(model.forward(X)).copy()
    r = 0.3 * np.random.default_rng(2).standard_normal(X.shape)
    before = [p.grad.copy() for p in model.parameters()]
    kl, g = kl_input_gradient(model, X, p_hat, r)
    assert all(np.array_equal(b, p.grad) for b, p in zip(before, model.parameters()))
    f = lambda: float(np.mean(kl_divergence(p_hat, model.forward(X + r))))
    assert kl == pytest.approx(f())
    assert rel_error(g, numerical_gradient(f, r)) < 1e-5


def fd_hessian(model, x, p_hat, h=1e-4):
    """Hessian of D(r) = KL(p_hat || p(y | x + r)) at r = 0 by central differences of D's values."""
    D = x.size
    E = np.eye(D) * h
    f = lambda r: float(kl_divergence(p_hat, model.forward((x + r)[None]))[0])
    H = np.empty((D, D))
    for i in range(D):
        for j in range(D):
            H[i, j] = (f(E[i] + E[j]) - f(E[i] - E[j]) - f(E[j] - E[i]) + f(-E[i] - E[j])) / (4 * h * h)
    return H


def test_power_iteration_converges_to_the_top_eigenvector_of_the_hessian():
    model = small(seed=3)
    x = batch(1, seed=4)[0]
    p_hat = softmax(model.forward(x)).copy()
    H = fd_hessian(model, x[0], p_hat)
    w, U = np.linalg.eigh(H)
    assert w[-1] > 1.5 * abs(w[-2])                     # a gap, so the iteration converges
    top = U[:, -1]
    for xi in (1e-6, 0.0):
        d = virtual_adversarial_direction(model, x, p_hat, np.random.default_rng(0), xi=xi, power_iterations=60)
        assert abs(d[0] @ top) > 1 - 1e-6
    one = virtual_adversarial_direction(model, x, p_hat, np.random.default_rng(0), xi=1e-6, power_iterations=1)
    start = np.random.default_rng(0).standard_normal(x.shape)[0]
    assert np.allclose(one[0], H @ start / np.linalg.norm(H @ start), atol=1e-4)   # one step is H d


def test_exact_hessian_vector_product_matches_finite_differences():
    model = small(seed=5)
    x = batch(1, seed=6)[0]
    p_hat = softmax(model.forward(x)).copy()
    H = fd_hessian(model, x[0], p_hat)
    d = np.random.default_rng(1).standard_normal(x.shape)
    assert rel_error(kl_hessian_vector_product(model, x, p_hat, d)[0], H @ d[0]) < 1e-5


def test_lds_gradient_by_central_differences_with_d_replayed():
    model = small(seed=7)
    X, _ = batch()
    vat = VAT(epsilon=0.5, xi=1e-6, power_iterations=2, seed=11)
    state = vat.rng.bit_generator.state
    for p in model.parameters():
        p.grad[...] = 0
    value = vat.lds(model, X, grad_scale=1.0)
    # replay: the same p_hat, the same random d, hence the same r_adv, all constants of theta
    p_hat = softmax(model.forward(X)).copy()
    vat.rng.bit_generator.state = state
    r = 0.5 * virtual_adversarial_direction(model, X, p_hat, vat.rng, 1e-6, 2)
    f = lambda: float(np.mean(kl_divergence(p_hat, model.forward(X + r))))
    assert value == pytest.approx(f(), rel=1e-10) and value > 0
    assert np.allclose(np.linalg.norm(r, axis=1), 0.5)
    for p in model.parameters():
        assert rel_error(p.grad, numerical_gradient(f, p.data)) < 1e-6, p.name


def test_r_adv_increases_the_kl_more_than_random_directions():
    model = small(seed=8)
    X, _ = batch(200, seed=9)
    p_hat = softmax(model.forward(X)).copy()
    d = virtual_adversarial_direction(model, X, p_hat, np.random.default_rng(0), power_iterations=2)
    rnd = np.random.default_rng(1).standard_normal(X.shape)
    rnd /= np.linalg.norm(rnd, axis=1, keepdims=True)
    adv = kl_divergence(p_hat, model.forward(X + 0.1 * d))
    ran = kl_divergence(p_hat, model.forward(X + 0.1 * rnd))
    assert np.mean(adv > ran) > 0.95 and adv.mean() > 3 * ran.mean()


def test_train_step_gradient_is_supervised_plus_alpha_lds_with_dropout_replayed():
    X, y = batch()
    crit = nr.SoftmaxCrossEntropy()
    model = small(seed=9, dropout=True)
    ref = small(seed=9, dropout=True)
    vat = VAT(epsilon=0.3, alpha=2.0, seed=1)
    for m in (model, ref):
        for p in m.parameters():
            p.grad[...] = 0
    out, loss = vat.train_step(model, crit, X, y)
    # the same by hand on the twin: supervised pass, then the LDS with every pass on the masks of the first
    o = ref.forward(X)
    sup = crit.forward(o, y)
    ref.backward(crit.backward())
    gen = ref.generators()[0]
    s = gen.bit_generator.state
    lds = VAT(epsilon=0.3, seed=1).lds(ref, X, 2.0, rewind=lambda: setattr(gen.bit_generator, "state", s))
    assert np.array_equal(out, o) and loss == pytest.approx(sup + 2.0 * lds)
    for p, q in zip(model.parameters(), ref.parameters()):
        assert np.allclose(p.grad, q.grad, rtol=1e-12, atol=1e-15)
    assert model.generators()[0].bit_generator.state == gen.bit_generator.state


def test_with_dropout_the_masks_are_replayed_so_the_kl_at_zero_is_zero():
    model = small(seed=10, dropout=True)
    X, y = batch()
    vat = VAT(epsilon=0.0, seed=0)
    vat.train_step(model, nr.SoftmaxCrossEntropy(), X, y)
    assert vat.last_lds == pytest.approx(0.0, abs=1e-14)


def test_unlabeled_pool_and_fit_are_deterministic():
    (X, y), _ = nr.data.load_dataset("font-digits", 300, 10, seed=0)
    Xl, yl, Xu = X[:40], y[:40], X[40:]
    runs = []
    for _ in range(2):
        model = nr.Sequential(nr.Flatten(), nr.Linear(784, 32), nr.ReLU(), nr.Linear(32, 10), seed=0)
        vat = VAT(epsilon=2.0, xi=1e-2, unlabeled=Xu, unlabeled_batch_size=50, seed=0)
        assert vat.lds_inputs(Xl[:8].astype(np.float32)).shape == (58, 28, 28)
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), 1e-3), (Xl, yl), epochs=3,
                   batch_size=20, adversarial=vat, seed=0, verbose=False)
        runs.append((h.train_loss, model.state_dict()))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(runs[0][1][k], runs[1][1][k]) for k in runs[0][1])


def test_float32_with_the_papers_xi_warns_that_nothing_moves():
    model = nr.Sequential(nr.Linear(784, 4), seed=0)
    X = np.full((3, 784), 1.0, np.float32)     # xi d per pixel ~ 1e-6 / 28, below float32's half ulp at 1
    with pytest.warns(RuntimeWarning, match="xi"):
        VAT(epsilon=1.0, seed=0).lds(model, X)


@pytest.mark.parametrize("kw,match", [
    ({"epsilon": -0.1}, "epsilon"), ({"epsilon": 1.0, "power_iterations": 0}, "power_iterations"),
    ({"epsilon": 1.0, "power_iterations": 1.5}, "power_iterations"), ({"epsilon": 1.0, "xi": -1}, "xi"),
    ({"epsilon": 1.0, "alpha": -1}, "alpha"), ({"epsilon": 1.0, "unlabeled_batch_size": 0}, "unlabeled_batch_size"),
    ({"epsilon": 1.0, "unlabeled": np.zeros(3)}, "unlabeled"), ({"epsilon": float("nan")}, "epsilon"),
])
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        VAT(**kw)


def test_checkpoint_and_resume_are_bit_identical(tmp_path):
    (X, y), _ = nr.data.load_dataset("font-digits", 120, 10, seed=0)
    Xl, yl, Xu = X[:30], y[:30], X[30:]

    def run(epochs, **kw):
        model = nr.mlp(hidden=(16,), seed=0)
        vat = VAT(epsilon=1.0, xi=1e-2, unlabeled=Xu, unlabeled_batch_size=20, seed=3)
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), 1e-3), (Xl, yl), epochs=epochs,
                   batch_size=10, adversarial=vat, seed=0, verbose=False, **kw)
        return h, model.state_dict()

    h_full, w_full = run(4)
    run(2, checkpoint=tmp_path / "vat.npz")
    h_res, w_res = run(4, resume=tmp_path / "vat.npz")
    assert h_res.train_loss == h_full.train_loss
    assert all(np.array_equal(w_full[k], w_res[k]) for k in w_full)
