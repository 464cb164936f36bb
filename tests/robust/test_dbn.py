"""nr.DBN: greedy layer-wise pretraining, the classifier it initialises (with its mask), and its checks."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_model, numerical_gradient

from synthetic_shapes import shapes, sparse_dbn


@pytest.fixture(scope="module")
def trained():
    return sparse_dbn()


@pytest.mark.parametrize("sizes", [[], [64], [64, 0], [64, 2.5], [64, True], None, 7])
def test_bad_sizes_raise(sizes):
    with pytest.raises(ValueError, match="sizes"):
        nr.DBN(sizes)


def test_layers_and_masks():
    mask = nr.local_mask((8, 8), 10, 3, seed=0)
    dbn = nr.DBN([64, 10, 7, 5], mask=mask, seed=0)
    assert [(r.n_visible, r.n_hidden) for r in dbn.rbms] == [(64, 10), (10, 7), (7, 5)]
    assert dbn.rbms[0].mask is not None and dbn.rbms[1].mask is None
    assert np.all(dbn.rbms[0].W.data[~mask] == 0)
    with pytest.raises(ValueError, match="mask must have the shape of W"):
        nr.DBN([64, 11], mask=mask)


def test_greedy_each_layer_is_an_rbm_trained_on_the_previous_p_h():
    X, _ = shapes(400)
    a = nr.DBN([64, 20, 10], seed=1).pretrain(X, epochs=2, batch_size=50, seed=5)
    b = nr.DBN([64, 20, 10], seed=1)            # untrained twin: the same initial RBMs
    s = np.random.default_rng(5).integers(2**63, size=2)   # the per-layer seeds pretrain spawns
    b.rbms[1].fit(a.rbms[0].p_h(X), epochs=2, batch_size=50, seed=int(s[1]))
    np.testing.assert_array_equal(a.rbms[1].W.data, b.rbms[1].W.data)
    np.testing.assert_array_equal(a.transform(X), a.rbms[1].p_h(a.rbms[0].p_h(X)))


def test_pretrain_is_bit_identical_for_a_seed():
    X, _ = shapes(300)
    a = nr.DBN([64, 12, 6], seed=2).pretrain(X, epochs=2, seed=3, persistent=True)
    b = nr.DBN([64, 12, 6], seed=2).pretrain(X, epochs=2, seed=3, persistent=True)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_pretraining_learns_the_data(trained):
    dbn, X, _ = trained
    for rbm in dbn.rbms:
        h = rbm.history["reconstruction_error"]
        assert h[-1] < 0.7 * h[0], h
    # mean-field reconstruction of the data through the first RBM: far better than the 0.25 of p = 1/2
    assert dbn.rbms[0].reconstruction_error(X) < 0.05


def test_to_mlp_computes_the_rbms_up_pass_and_keeps_the_mask(trained):
    dbn, X, y = trained
    model = dbn.to_mlp(4, seed=0)
    kinds = [type(l).__name__ for l in model.layers]
    assert kinds == ["Flatten", "SparseLinear", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    h = X[:50]
    for layer in model.layers[:-1]:
        h = layer.forward(h)
    np.testing.assert_allclose(h, dbn.transform(X[:50]), rtol=1e-5, atol=1e-6)
    assert np.array_equal(model.layers[1].mask, dbn.mask)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-2), (X, y),
           epochs=3, batch_size=100, seed=0, verbose=False)
    assert np.all(model.layers[1].W.data[~dbn.mask] == 0)
    acc = np.mean(nr.predict(model, X).argmax(axis=1) == y)
    assert acc > 0.95, acc                     # four shapes, 3% flipped pixels: easy once fine-tuned
    # the copy is independent of the DBN
    assert not np.array_equal(model.layers[1].W.data, dbn.rbms[0].W.data)


def test_dense_dbn_gives_linear_layers():
    model = nr.DBN([64, 8, 5], seed=0).to_mlp(3)
    assert [type(l).__name__ for l in model.layers] == ["Flatten", "Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    with pytest.raises(ValueError, match="n_classes"):
        nr.DBN([64, 8]).to_mlp(0)


def test_fine_tuned_network_gradient_check_float64(trained):
    dbn, X, y = trained
    model = dbn.to_mlp(4, seed=0)
    # along 40 random directions of all 5854 parameters at once (64*60 + 60 + 60*30 + 30 + 30*4 + 4)
    assert check_model(model, nr.SoftmaxCrossEntropy(), X[:6], y[:6], directions=40) < 1e-7
    # and every coordinate: central differences of a loss ~ 1 carry round-off ~ 1e-16 / 1e-5 = 1e-11,
    # so entries are compared relative to the largest gradient of their parameter (a missing term fails)
    crit, x = nr.SoftmaxCrossEntropy(), np.random.default_rng(0).uniform(0.05, 0.95, (6, 8, 8))
    L = lambda: crit.forward(model.forward(x), y[:6])
    L()
    for p in model.parameters():
        p.grad.fill(0)
    model.backward(crit.backward(), input_grad=False)
    for name, p in model.named_parameters():
        g = p.grad.copy()
        num = numerical_gradient(L, p.data)
        assert np.max(np.abs(g - num)) < 1e-6 * np.max(np.abs(g)), name


def test_denoise_needs_a_second_rbm():
    with pytest.raises(ValueError, match="second RBM"):
        nr.DBN([64, 8], seed=0).denoise(np.zeros((2, 64)))
    with pytest.raises(ValueError, match="no receptive fields"):
        dbn = nr.DBN([64, 8, 4], seed=0)
        dbn.implicated_pixels(dbn.denoise(np.zeros((2, 64))))
