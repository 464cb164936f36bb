"""Semi-supervised learning (§7.6): cluster-then-label, label propagation, EM on a Gaussian mixture,
self-training, and the denoising-autoencoder shared representation (gradient-checked)."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import numerical_gradient, rel_error, replay
from numreg.regularize.s7_06_semi_supervised.cluster_then_label import majority_labels
from numreg.regularize.s7_06_semi_supervised.label_propagation import knn_graph


def blobs(n_per=40, centers=((0, 0), (8, 0), (0, 8)), std=0.7, seed=0):
    rng = np.random.default_rng(seed)
    C = np.asarray(centers, float)
    X = np.concatenate([c + std * rng.standard_normal((n_per, 2)) for c in C]).astype(np.float32)
    return X, np.repeat(np.arange(len(C)), n_per)


def moons(n=200, noise=0.05, seed=0):
    """Two interleaved half circles: the classic case where the manifold, not the distance, decides."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, np.pi, n)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((2 * n, 2))
    y = np.repeat([0, 1], n)
    return X, y


def split_labeled(X, y, idx):
    mask = np.zeros(len(X), bool)
    mask[idx] = True
    return X[mask], y[mask], X[~mask], y[~mask]


# -- cluster-then-label ---------------------------------------------------------------

def test_majority_labels_by_hand():
    # cluster 0 holds labels 1, 1, 2 -> 1; cluster 1 none -> -1; cluster 2 holds 0 -> 0
    lab, votes = majority_labels(np.array([0, 0, 0, 2]), np.array([1, 1, 2, 0]), 3, 3)
    np.testing.assert_array_equal(lab, [1, -1, 0])
    np.testing.assert_array_equal(votes[0], [0, 2, 1])


def test_cluster_then_label_one_label_per_blob():
    X, y = blobs()
    Xl, yl, Xu, yu = split_labeled(X, y, [0, 40, 80])
    labels, unreached = nr.cluster_then_label(Xl, yl, Xu, k=3, seed=0)
    assert unreached.size == 0
    np.testing.assert_array_equal(labels, yu)


def test_cluster_then_label_unreached_clusters():
    X, y = blobs()
    Xl, yl, Xu, yu = split_labeled(X, y, [0, 40, 80])
    labels, unreached = nr.cluster_then_label(Xl, yl, Xu, k=9, seed=0, fill=None)
    assert unreached.size >= 6  # 9 clusters, 3 labeled points
    km = nr.KMeans(9, seed=0).fit(np.concatenate([Xl, Xu]))
    in_unreached = np.isin(km.labels_[3:], unreached)
    np.testing.assert_array_equal(labels == -1, in_unreached)
    filled, _ = nr.cluster_then_label(Xl, yl, Xu, k=9, seed=0, fill="nearest")
    assert np.all(filled >= 0)
    assert np.mean(filled == yu) > 0.95  # a blob split in 3 clusters still gets its label


def test_semisupervised_bad_input():
    X, y = blobs()
    with pytest.raises(ValueError, match="k=0"):
        nr.cluster_then_label(X[:3], y[:3], X[3:], k=0)
    with pytest.raises(ValueError, match="k=121"):
        nr.cluster_then_label(X[:3], y[:3], X[3:], k=121)
    with pytest.raises(ValueError, match="same width"):
        nr.cluster_then_label(X[:3], y[:3], np.zeros((5, 3)), k=2)
    with pytest.raises(ValueError, match="X_labeled must not be empty"):
        nr.cluster_then_label(X[:0], y[:0], X, k=2)
    with pytest.raises(ValueError, match="fill='majority'"):
        nr.cluster_then_label(X[:3], y[:3], X[3:], k=2, fill="majority")
    with pytest.raises(ValueError, match="k_neighbors=0"):
        nr.label_propagation(X[:3], y[:3], X[3:], k_neighbors=0)
    with pytest.raises(ValueError, match="k_neighbors=120"):
        nr.label_propagation(X[:3], y[:3], X[3:], k_neighbors=120)
    with pytest.raises(ValueError, match="same width"):
        nr.label_propagation(X[:3], y[:3], np.zeros((5, 3)))
    with pytest.raises(ValueError, match="X_labeled must not be empty"):
        nr.label_propagation(X[:0], y[:0], X)
    with pytest.raises(ValueError, match="y_labeled"):
        nr.label_propagation(X[:3], y[:4], X[3:])
    with pytest.raises(ValueError, match="label -1"):
        nr.label_propagation(X[:3], np.array([0, -1, 1]), X[3:])


# -- label propagation -------------------------------------------------------------------

def test_label_propagation_follows_the_manifold():
    X, y = moons()
    # one label per moon, at the tips farthest from the other moon's body
    Xl, yl, Xu, yu = split_labeled(X, y, [0, 399])
    labels, F = nr.label_propagation(Xl, yl, Xu, k_neighbors=6, tol=1e-8, max_iter=5000)
    assert np.mean(labels == yu) >= 0.99
    np.testing.assert_allclose(F.sum(axis=1), 1.0, rtol=1e-9)
    # the nearest labeled point (no manifold) gets a good part of it wrong
    nearest = np.argmin(((Xu[:, None, :] - Xl[None]) ** 2).sum(-1), axis=1)
    assert np.mean(yl[nearest] == yu) < 0.85


def test_label_propagation_reaches_the_harmonic_solution():
    # The fixed point is F_u = (D_uu - W_uu)^{-1} W_ul Y_l; compare with a dense solve.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    y_l = np.array([0, 1, 2, 0, 1])
    labels, F = nr.label_propagation(X[:5], y_l, X[5:], k_neighbors=5, tol=1e-13, max_iter=20000)
    rows, cols, w, _ = knn_graph(X, 5, None)
    W = np.zeros((40, 40))
    np.add.at(W, (rows, cols), w)
    assert np.allclose(W, W.T)
    D = np.diag(W.sum(axis=1))
    Y = np.eye(3)[y_l]
    Fu = np.linalg.solve((D - W)[5:, 5:], W[5:, :5] @ Y)
    Fu /= Fu.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(F, Fu, atol=1e-9)
    np.testing.assert_array_equal(labels, Fu.argmax(axis=1))


def test_label_propagation_unreached_component_gets_minus_one():
    X = np.concatenate([np.random.default_rng(0).random((10, 2)), 100 + np.random.default_rng(1).random((10, 2))])
    labels, F = nr.label_propagation(X[:1], np.array([0]), X[1:], k_neighbors=3)
    assert np.all(labels[:9] == 0)
    assert np.all(labels[9:] == -1) and np.all(F[9:] == 0)


# -- EM on a Gaussian mixture ----------------------------------------------------------------

def two_gaussians(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X0 = rng.multivariate_normal([0, 0], [[1.0, 0.8], [0.8, 1.0]], n)
    X1 = rng.multivariate_normal([2.5, -1], [[1.0, -0.5], [-0.5, 1.0]], n)
    return np.concatenate([X0, X1]), np.repeat([0, 1], n)


@pytest.mark.parametrize("cov", ["full", "diag", "spherical"])
def test_gmm_log_density_against_scipy(cov):
    stats = pytest.importorskip("scipy.stats")
    X, y = two_gaussians(50)
    g = nr.SemiSupervisedGMM(covariance=cov, max_iter=3).fit(X[[0, 1, 60, 61]], y[[0, 1, 60, 61]], X)
    lj = g._log_joint(X)
    for c in range(2):
        S = g.covariances_[c]
        S = S if cov == "full" else np.diag(S) if cov == "diag" else S * np.eye(2)
        ref = stats.multivariate_normal(g.means_[c], S).logpdf(X) + np.log(g.weights_[c])
        np.testing.assert_allclose(lj[:, c], ref, rtol=1e-10)


def test_gmm_em_objective_never_decreases_and_unlabeled_data_help():
    X, y = two_gaussians()
    idx = [0, 1, 300, 301]
    Xl, yl, Xu, yu = split_labeled(X, y, idx)
    g = nr.SemiSupervisedGMM(reg_covar=1e-9, tol=1e-10, max_iter=200).fit(Xl, yl, Xu)
    obj = np.array(g.objective_)
    assert np.all(np.diff(obj) >= -1e-10)  # the EM guarantee
    assert obj[-1] > obj[0]
    semi = np.mean(g.predict(Xu) == yu)
    sup = nr.SemiSupervisedGMM(reg_covar=1e-9, unlabeled_weight=0.0).fit(Xl, yl, Xu)
    np.testing.assert_allclose(sup.means_[0], Xl[yl == 0].mean(axis=0))  # lambda = 0: the supervised fit
    assert semi >= 0.95
    assert semi > np.mean(sup.predict(Xu) == yu)


def test_gmm_labeled_responsibilities_stay_fixed(monkeypatch):
    X, y = two_gaussians(100)
    Xl = np.concatenate([X[:3], X[150:151]])  # the last labeled point sits in class 1's region ...
    yl = np.array([0, 0, 0, 0])               # ... but is labeled 0; it must stay 0 throughout
    Xl = np.concatenate([Xl, X[100:103]])
    yl = np.concatenate([yl, [1, 1, 1]])
    seen = []
    original = nr.SemiSupervisedGMM._m_step

    def spy(self, Xa, R):
        seen.append(R[:len(Xl)].copy())
        return original(self, Xa, R)

    monkeypatch.setattr(nr.SemiSupervisedGMM, "_m_step", spy)
    nr.SemiSupervisedGMM(max_iter=20).fit(Xl, yl, X)
    assert len(seen) > 2
    for R in seen:
        np.testing.assert_array_equal(R, np.eye(2)[yl])


def test_gmm_bad_input():
    X, y = two_gaussians(20)
    with pytest.raises(ValueError, match="covariance='tied'"):
        nr.SemiSupervisedGMM(covariance="tied")
    with pytest.raises(ValueError, match="unlabeled_weight=2"):
        nr.SemiSupervisedGMM(unlabeled_weight=2)
    with pytest.raises(ValueError, match=r"classes \[1\]"):
        nr.SemiSupervisedGMM(n_classes=2).fit(X[:2], y[:2], X)
    with pytest.raises(ValueError, match="same width"):
        nr.SemiSupervisedGMM().fit(X[:2], y[:2], np.zeros((4, 3)))


# -- self-training ----------------------------------------------------------------------------

def small_mlp(seed):
    return nr.mlp(2, (16,), 3, dropout=0.0, seed=seed)


def self_trainer(rounds, threshold=0.9):
    return nr.SelfTraining(small_mlp, threshold=threshold, rounds=rounds, epochs=40, batch_size=16, seed=0,
                           make_optimizer=lambda m: nr.Adam(m.parameters(), lr=1e-2))


def test_self_training_pseudo_labels_are_the_previous_rounds_confident_predictions():
    X, y = blobs(n_per=60, std=1.0, seed=3)
    Xl, yl, Xu, yu = split_labeled(X, y, [0, 1, 60, 61, 120, 121])
    first = self_trainer(0).fit(Xl, yl, Xu)
    # round 0 is plain supervised training on the labeled points
    ref = small_mlp(0)
    nr.fit(ref, nr.SoftmaxCrossEntropy(), nr.Adam(ref.parameters(), lr=1e-2), (Xl, yl), epochs=40,
           batch_size=16, seed=0, verbose=False)
    np.testing.assert_array_equal(first.predict_proba(Xu), nr.softmax(nr.predict(ref, Xu)))
    P = first.predict_proba(Xu)
    expected = np.where(P.max(axis=1) >= 0.9, P.argmax(axis=1), -1)
    st = self_trainer(1).fit(Xl, yl, Xu, y_unlabeled=yu)
    np.testing.assert_array_equal(st.pseudo_labels_, expected)
    assert [h["n_pseudo"] for h in st.history_] == [0, int(np.sum(expected >= 0))]
    assert st.history_[1]["n_pseudo"] > 100
    assert st.history_[1]["pseudo_accuracy"] > 0.95  # confident predictions are mostly right here
    assert np.mean(st.predict(Xu) == yu) > 0.9
    again = self_trainer(1).fit(Xl, yl, Xu)
    np.testing.assert_array_equal(again.predict_proba(Xu), st.predict_proba(Xu))  # same seed, same bits


def test_self_training_steps_give_every_round_the_same_budget():
    X, y = blobs(n_per=60, std=1.0, seed=3)
    Xl, yl, Xu, yu = split_labeled(X, y, [0, 1, 60, 61, 120, 121])
    counts = []

    class Counting(nr.Adam):
        def step(self):
            counts[-1] += 1
            super().step()

    def make_optimizer(m):
        counts.append(0)
        return Counting(m.parameters(), lr=1e-2)

    st = nr.SelfTraining(small_mlp, threshold=0.9, rounds=1, steps=60, batch_size=16, seed=0,
                         make_optimizer=make_optimizer).fit(Xl, yl, Xu)
    m = 6 + st.history_[1]["n_pseudo"]
    # round 0: 6 examples = 1 batch, 60 epochs of 1 step; round 1: ceil(60 / ceil(m / 16)) epochs
    assert counts == [60, -(-60 // -(-m // 16)) * -(-m // 16)]
    with pytest.raises(ValueError, match="steps=0"):
        nr.SelfTraining(small_mlp, steps=0)


def test_self_training_bad_input():
    with pytest.raises(ValueError, match="threshold=0"):
        nr.SelfTraining(small_mlp, threshold=0)
    with pytest.raises(ValueError, match="rounds=-1"):
        nr.SelfTraining(small_mlp, rounds=-1)


# -- the denoising autoencoder's shared representation ----------------------------------------

def dae(seed=0, corruption=0.3, lam=0.7):
    enc = nr.Sequential(nr.Flatten(), nr.Linear(12, 8), nr.Tanh())
    dec = nr.Sequential(nr.Linear(8, 12), nr.Sigmoid())
    head = nr.Sequential(nr.Linear(8, 5), nr.ReLU(), nr.Linear(5, 3))
    return nr.DenoisingAutoencoderClassifier(enc, dec, head, corruption=corruption, lam=lam).reseed(seed)


def test_dae_objective_gradient_check():
    rng = np.random.default_rng(0)
    model = dae().astype(np.float64)
    Xl, yl, Xa = rng.random((4, 3, 4)), np.array([0, 2, 1, 2]), rng.random((6, 3, 4))
    params = model.parameters()
    with replay(model) as rewind:

        def L():
            rewind()
            return model.objective(Xl, yl, Xa)

        L()
        for p in params:
            p.grad.fill(0)
        dx = model.backward_objective(input_grad=True)
        numeric = [numerical_gradient(L, p.data) for p in params]
    # The MSE is a mean over 120 pixels, so many gradient entries are ~1e-5 while the
    # central difference's rounding noise is ~1e-16 / 1e-5 = 1e-11 in absolute terms:
    # elementwise relative errors reach ~1e-7 from noise alone. Norm-wise the agreement
    # is ~1e-9; a missing term (see the next test) gives errors of order 1.
    assert max(rel_error(p.grad, n) for p, n in zip(params, numeric)) < 1e-6
    assert max(np.linalg.norm(p.grad - n) / np.linalg.norm(n) for p, n in zip(params, numeric)) < 1e-8
    assert dx.shape == (10, 3, 4)


def test_dae_gradient_at_h_is_the_sum_of_both_losses():
    # encoder gradient of J = CE + lam * MSE equals CE's alone plus lam * MSE's alone
    rng = np.random.default_rng(1)
    Xl, yl, Xa = rng.random((4, 12)), np.array([0, 2, 1, 2]), rng.random((6, 12))

    def encoder_grad(lam, only=None):
        m = dae(lam=lam).astype(np.float64)
        m.objective(Xl, yl, Xa)
        for p in m.parameters():
            p.grad.fill(0)
        if only == "ce":  # drop the reconstruction term by hand
            m.mse.diff[...] = 0
        m.backward_objective()
        return m.encoder[1].W.grad.copy()

    full = encoder_grad(0.7)
    ce_only = encoder_grad(0.7, only="ce")
    mse_part = full - ce_only
    assert np.abs(ce_only).max() > 1e-4 and np.abs(mse_part).max() > 1e-4  # both terms reach the trunk
    np.testing.assert_allclose(encoder_grad(1.4) - ce_only, 2 * mse_part, rtol=1e-10, atol=1e-14)


def test_dae_forward_is_the_clean_classifier_and_training_learns():
    X, y = blobs(n_per=40, std=1.0)
    X12 = np.concatenate([X, X ** 2 / 10, np.sin(X), np.cos(X), X / 3, -X], axis=1).astype(np.float32)
    X12 = (X12 - X12.min(0)) / (X12.max(0) - X12.min(0))
    m = dae(seed=2)
    a = m.train().forward(X12[:5])
    np.testing.assert_array_equal(a, m.forward(X12[:5]))  # no corruption in forward
    Xl, yl, Xu, yu = split_labeled(X12, y, [0, 1, 40, 41, 80, 81])
    h = m.fit(Xl, yl, Xu, optimizer=nr.Adam(m.parameters(), lr=1e-2), epochs=30, batch_size=32,
              labeled_batch_size=6, seed=0)
    assert h.task_train_loss[-1][1] < h.task_train_loss[0][1]  # reconstruction improves
    assert np.mean(nr.predict(m, Xu).argmax(1) == yu) > 0.8
    m2 = dae(seed=2)
    h2 = m2.fit(Xl, yl, Xu, optimizer=nr.Adam(m2.parameters(), lr=1e-2), epochs=30, batch_size=32,
                labeled_batch_size=6, seed=0)
    assert h2.train_loss == h.train_loss  # same seeds: bit-identical run
    np.testing.assert_array_equal(nr.predict(m2, Xu), nr.predict(m, Xu))


def test_dae_bad_input():
    enc, dec, head = nr.Linear(4, 3), nr.Linear(3, 4), nr.Linear(3, 2)
    with pytest.raises(ValueError, match="corruption=1"):
        nr.DenoisingAutoencoderClassifier(enc, dec, head, corruption=1)
    with pytest.raises(ValueError, match="lam=-1"):
        nr.DenoisingAutoencoderClassifier(enc, dec, head, lam=-1)
    m = nr.DenoisingAutoencoderClassifier(enc, dec, head)
    with pytest.raises(ValueError, match="same width"):
        m.fit(np.zeros((2, 4)), np.array([0, 1]), np.zeros((3, 5)))
