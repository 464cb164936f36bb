"""The contractive autoencoder (Eq. 14.18) and the manifold tangent classifier (§7.14; Rifai et al. 2011)."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import numerical_gradient, rel_error
from numreg.regularize.s7_14_tangent.contractive import ContractiveAutoencoder, contraction, contraction_grad


def cae64(lam=0.3, seed=0, D=12, m=5):
    cae = ContractiveAutoencoder(D, m, lam=lam, seed=seed, dtype=np.float64)
    return cae


def inputs(n=7, D=12, seed=1):
    return np.random.default_rng(seed).random((n, D))


def test_contraction_is_the_squared_frobenius_norm_of_the_encoders_jacobian():
    cae = cae64()
    X = inputs()
    h = cae.encode(X)
    # the Jacobian by central differences, column by column
    eps = 1e-6
    J = np.stack([(cae.encode(X + eps * e) - cae.encode(X - eps * e)) / (2 * eps) for e in np.eye(12)], axis=2)
    assert np.allclose(cae.jacobian(X), J, atol=1e-9)
    assert contraction(h, cae.W.data) == pytest.approx(np.mean(np.sum(J ** 2, axis=(1, 2))), rel=1e-8)


def test_contraction_gradient_by_central_differences():
    cae = cae64()
    X = inputs()
    W, b = cae.encoder[1].W, cae.encoder[1].b
    f = lambda: contraction(cae.encode(X), W.data)
    dW, db = contraction_grad(X, cae.encode(X), W.data)
    assert rel_error(dW, numerical_gradient(f, W.data)) < 1e-6
    assert rel_error(db, numerical_gradient(f, b.data)) < 1e-6


def test_objective_gradient_by_central_differences():
    cae = cae64(lam=0.7)
    X = inputs()

    def objective():
        x = X.reshape(len(X), -1)
        h = cae.encode(X)
        z = cae.decoder.forward(h)
        r = 1 / (1 + np.exp(-z))
        rec = -np.sum(x * np.log(r) + (1 - x) * np.log(1 - r)) / len(X)
        return rec + 0.7 * contraction(h, cae.W.data)

    for p in cae.parameters():
        p.grad[...] = 0
    rec, omega = cae.loss_and_grad(X)
    assert rec + 0.7 * omega == pytest.approx(objective(), rel=1e-10)
    for p in cae.parameters():
        assert rel_error(p.grad, numerical_gradient(objective, p.data)) < 1e-6, p.name


def test_tangents_are_the_leading_right_singular_vectors():
    cae = cae64(m=6)
    X = inputs(4)
    T = cae.tangents(X, k=3)
    assert T.shape == (4, 3, 12)
    for i in range(4):
        _, s, Vt = np.linalg.svd(cae.jacobian(X[i:i + 1])[0])
        # the same subspace: projections agree (signs of singular vectors are arbitrary)
        assert np.allclose(T[i].T @ T[i], Vt[:3].T @ Vt[:3], atol=1e-8)
        assert np.allclose(T[i] @ T[i].T, np.eye(3), atol=1e-8)


def test_penalty_contracts_and_tangents_follow_translations():
    (X, _), _ = nr.data.load_dataset("font-digits", 600, 10, seed=0)
    X = X.reshape(len(X), -1).astype(np.float32)
    weak = ContractiveAutoencoder(784, 64, lam=0.0, seed=0).fit(X, epochs=30, batch_size=50, lr=1e-2, seed=0)
    strong = ContractiveAutoencoder(784, 64, lam=10.0, seed=0).fit(X, epochs=30, batch_size=50, lr=1e-2, seed=0)
    assert strong.history_[-1][1] < 0.2 * weak.history_[-1][1]          # a much smaller Jacobian
    assert strong.history_[-1][0] < 0.9 * strong.history_[0][0]         # and still a reconstruction
    # the learned tangent plane holds more of the translation tangent than a random 5-plane (5/784) does,
    # and more than the plane of the autoencoder without the penalty
    v = nr.tangent_vectors(X[:100].reshape(-1, 28, 28), ("translate_x",))[:, 0].astype(np.float64)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    held = [np.mean(np.sum(np.einsum("nkd,nd->nk", c.tangents(X[:100], k=5).astype(np.float64), v) ** 2, axis=1))
            for c in (weak, strong)]
    assert held[1] > 20 * 5 / 784 and held[1] > 2 * held[0], held


def test_manifold_tangent_classifier_trains_with_tangent_prop():
    (X, y), _ = nr.data.load_dataset("font-digits", 200, 10, seed=0)
    cae = ContractiveAutoencoder(784, 32, lam=0.5, seed=0).fit(X, epochs=2, batch_size=50, seed=0)
    model = cae.classifier(10, seed=0)
    assert np.array_equal(model[1].W.data, cae.W.data) and model[1].W is not cae.W
    tp = nr.TangentProp(0.1, tangents=lambda d: cae.tangents(d, k=4))
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), 1e-3), (X, y), epochs=3,
               batch_size=50, adversarial=tp, seed=0, verbose=False)
    assert np.all(np.isfinite(h.train_loss)) and tp.last_penalty > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="lam"):
        ContractiveAutoencoder(4, 2, lam=-1)
    cae = cae64()
    with pytest.raises(ValueError, match="k"):
        cae.tangents(inputs(), k=6)
    with pytest.raises(ValueError, match="epochs"):
        cae.fit(inputs(), epochs=0)
