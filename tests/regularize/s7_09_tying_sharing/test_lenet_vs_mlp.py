"""§7.9 experiments/lenet_vs_mlp.py (its networks, budget and one tiny run) and Conv2d/MaxPool2d against PyTorch."""
import importlib.util
import pathlib

import numpy as np
import pytest

import numreg as nr
from numreg.study import run_seeds

ROOT = pathlib.Path(__file__).resolve().parents[3]


def experiment():
    spec = importlib.util.spec_from_file_location("experiment_lenet_vs_mlp", ROOT / "experiments" / "lenet_vs_mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_networks_have_about_the_same_parameters():
    ex = experiment()
    counts = {name: ex.n_params(ex.build(name, 0)[0]) for name in ex.MODELS}
    # conv 6*25+6, conv 16*150+16, 256*120+120, 120*10+10; 784*44+44 + 44*10+10; the seed network
    assert counts == {"lenet": 156 + 2416 + 30840 + 1210, "mlp": 34540 + 450, "mlp_seed": 118282}
    assert ex.build("lenet", 3)[1] and not ex.build("mlp", 3)[1]
    np.testing.assert_array_equal(ex.build("lenet", 3)[0][0].W.data, ex.build("lenet", 3)[0][0].W.data)
    with pytest.raises(ValueError, match="model must be one of"):
        ex.build("resnet")


def test_epoch_budget():
    ex = experiment()
    assert ex.epochs_for(100, 600, 10) == 384          # 600 steps of 64 over 100 images
    assert ex.epochs_for(10000, 600, 10) == 10         # at least min_epochs
    assert ex.epochs_for(3000, 600, 10) == 13


def test_one_tiny_run_and_the_same_subset_for_both_networks():
    ex = experiment()
    config = {"n_train": 30, "model": "lenet", "epochs": 2, "data": "font-digits", "pool": 200, "n_test": 50}
    record = ex.run(config, run_seeds(0))
    assert set(record) == {"test_error", "train_error", "params", "seconds"}
    assert 0.0 <= record["test_error"] <= 1.0 and 0.0 <= record["train_error"] <= 1.0
    assert record["params"] == 34622
    again = ex.run(config, run_seeds(0))
    assert again["test_error"] == record["test_error"]               # deterministic
    mlp = ex.run(dict(config, model="mlp"), run_seeds(0))
    assert mlp["params"] == 34990


def test_conv_and_pool_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 11, 10))
    conv = nr.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=1, seed=0, dtype=np.float64)
    pool = nr.MaxPool2d(2)
    y = pool(conv(x))
    dy = rng.normal(size=y.shape)
    dx = conv.backward(pool.backward(dy))
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(conv.W.data, requires_grad=True)
    bt = torch.tensor(conv.b.data, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(torch.nn.functional.conv2d(xt, Wt, bt, stride=(2, 1), padding=1), 2)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.W.grad, Wt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.b.grad, bt.grad.numpy(), rtol=1e-12, atol=1e-12)
