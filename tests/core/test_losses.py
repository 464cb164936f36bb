"""Losses: worked values, both label-smoothing conventions, stability, gradient checks."""
import math

import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import numerical_gradient, rel_error

LN2 = math.log(2)
# logits [0, ln 2, 0] give p = [1/4, 1/2, 1/4]
Z = np.array([[0.0, LN2, 0.0]])


def test_cross_entropy_by_hand():
    # -log p[1] = -log(1/2) = ln 2
    assert nr.SoftmaxCrossEntropy()(Z, [1]) == pytest.approx(LN2, rel=1e-12)


def test_book_smoothing_by_hand():
    # book, eps = 0.2, k = 3: t = [0.1, 0.8, 0.1]
    # J = -(0.1 ln 1/4 + 0.8 ln 1/2 + 0.1 ln 1/4) = 0.4 ln 2 + 0.8 ln 2 = 1.2 ln 2
    loss = nr.SoftmaxCrossEntropy(label_smoothing=0.2, smoothing="book")
    assert loss(Z, [1]) == pytest.approx(1.2 * LN2, rel=1e-12)
    # gradient (p - t)/n = [0.25 - 0.1, 0.5 - 0.8, 0.25 - 0.1]
    np.testing.assert_allclose(loss.backward(), [[0.15, -0.3, 0.15]], rtol=1e-12)


def test_uniform_smoothing_matches_pytorch_by_hand():
    # torch.nn.CrossEntropyLoss(label_smoothing=0.2): (1 - eps) * NLL + eps * mean_j(-log p_j)
    #   = 0.8 ln 2 + 0.2 * (ln 4 + ln 2 + ln 4)/3 = (0.8 + 1/3) ln 2
    loss = nr.SoftmaxCrossEntropy(label_smoothing=0.2, smoothing="uniform")
    assert loss(Z, [1]) == pytest.approx((0.8 + 1 / 3) * LN2, rel=1e-12)
    # t = 0.8 onehot + 0.2/3: [1/15, 13/15, 1/15]
    np.testing.assert_allclose(loss.backward(), [[0.25 - 1 / 15, 0.5 - 13 / 15, 0.25 - 1 / 15]], rtol=1e-12)


def test_the_two_conventions_differ_and_are_related():
    # book eps_b equals uniform eps_u * (k - 1)/k: uniform 0.3 with k = 3 is book 0.2
    z = np.random.default_rng(0).standard_normal((5, 3))
    y = np.array([0, 1, 2, 1, 0])
    a = nr.SoftmaxCrossEntropy(0.3, "uniform")(z, y)
    b = nr.SoftmaxCrossEntropy(0.2, "book")(z, y)
    c = nr.SoftmaxCrossEntropy(0.3, "book")(z, y)
    assert a == pytest.approx(b, rel=1e-12)
    assert abs(a - c) > 1e-3


@pytest.mark.parametrize("eps,smoothing", [(0.0, "book"), (0.1, "book"), (0.25, "uniform")])
def test_cross_entropy_gradcheck(eps, smoothing, rng):
    z = rng.standard_normal((6, 4))
    y = rng.integers(0, 4, 6)
    loss = nr.SoftmaxCrossEntropy(eps, smoothing)
    loss.forward(z, y)
    g = loss.backward()
    num = numerical_gradient(lambda: loss.forward(z, y), z)
    assert rel_error(g, num) < 1e-7


def test_soft_targets_gradcheck(rng):
    z = rng.standard_normal((5, 3))
    t = rng.random((5, 3))
    t /= t.sum(1, keepdims=True)
    loss = nr.SoftmaxCrossEntropy()
    loss.forward(z, t)
    g = loss.backward()
    assert rel_error(g, numerical_gradient(lambda: loss.forward(z, t), z)) < 1e-7


def test_no_overflow_for_huge_logits_in_float32():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=np.float32)
    loss = nr.SoftmaxCrossEntropy()
    v = loss(z, [0, 0])
    # row 0: log p_0 = 0; row 1: log p_0 = -2e4 - log 2 -> mean (2e4 + ln 2)/2
    assert math.isfinite(v)
    assert v == pytest.approx((2e4 + LN2) / 2, rel=1e-6)
    assert np.all(np.isfinite(loss.backward()))


def test_mse_by_hand_and_gradcheck(rng):
    loss = nr.MSELoss()
    # errors [1, -2, 0, 3] -> mean of squares (1 + 4 + 0 + 9)/4 = 3.5
    assert loss(np.array([[1.0, 0.0], [2.0, 3.0]]), np.array([[0.0, 2.0], [2.0, 0.0]])) == 3.5
    np.testing.assert_allclose(loss.backward(), [[0.5, -1.0], [0.0, 1.5]])  # 2 * err / 4
    out, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss.forward(out, t)
    assert rel_error(loss.backward(), numerical_gradient(lambda: loss.forward(out, t), out)) < 1e-7
    assert loss(np.zeros((3, 1)), np.ones(3)) == 1.0  # (n,) target for an (n, 1) output


@pytest.mark.parametrize("kw,match", [({"label_smoothing": 1.0}, "label_smoothing=1.0"),
                                      ({"label_smoothing": -0.1}, "label_smoothing=-0.1"),
                                      ({"smoothing": "torch"}, "smoothing='torch'")])
def test_bad_hyper_parameters(kw, match):
    with pytest.raises(ValueError, match=match):
        nr.SoftmaxCrossEntropy(**kw)


def test_bad_labels():
    loss = nr.SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match="label 3"):
        loss(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="label -1"):
        loss(np.zeros((2, 3)), [0, -1])
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        loss(np.zeros((2, 3)), [0, 1, 2])
    with pytest.raises(ValueError, match="target.shape"):
        nr.MSELoss()(np.zeros((2, 3)), np.zeros((3, 2)))
