"""Shared test helpers."""
import os

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
