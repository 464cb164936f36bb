"""The seed notebook's network on real Fashion-MNIST: test accuracy at least 0.87.

Published MLP baselines on Fashion-MNIST are 0.871-0.883. Skips on a
machine without the data; fails in CI, where .ci/run installs Debian's
``dataset-fashion-mnist``.
"""
import numpy as np
import pytest

import numreg as nr
from conftest import skip_or_fail


@pytest.fixture(scope="module")
def fashion():
    try:
        return nr.data.load_fashion_mnist()
    except FileNotFoundError as e:
        skip_or_fail(f"Fashion-MNIST is not on this machine ({e})")


@pytest.mark.slow
@pytest.mark.realdata
def test_seed_network_on_fashion_mnist(fashion):
    (X, y), (X_test, y_test) = fashion
    assert X.shape == (60000, 28, 28) and X_test.shape == (10000, 28, 28) and X.dtype == np.float32
    train, valid = nr.data.train_valid_split(X, y, valid_fraction=0.2, seed=0)
    model = nr.mlp(seed=0)  # 784-128-128-10, ReLU, dropout 0.5
    criterion = nr.SoftmaxCrossEntropy()
    early_stopping = nr.EarlyStopping(patience=5)
    history = nr.fit(model, criterion, nr.Adam(model.parameters()), train, valid, epochs=40, batch_size=256,
                     callbacks=[early_stopping], seed=0, verbose=False)
    test_loss, test_acc = nr.evaluate(model, criterion, X_test, y_test)
    assert history.restored_epoch == early_stopping.best_epoch
    assert test_acc >= 0.87, f"test accuracy {test_acc:.4f} after {history.epochs} epochs"
    assert test_loss < 0.40
