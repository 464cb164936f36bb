"""Shared test helpers."""
import os

# One BLAS thread unless the caller says otherwise: with OpenBLAS's default of
# one thread per core, a test run sharing the machine with anything else slows
# down 10-100x (threads spin waiting for each other); one thread costs at most
# ~2x on an idle machine. Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest

IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason):
    """Skip on a user's machine; fail in CI (CI=true), where every data set must be present."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
