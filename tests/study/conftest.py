"""Fixtures of the study tests: the helper run functions' folder on sys.path, a marker folder."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)   # `import runs` in this process and in the workers it starts


@pytest.fixture
def markers(tmp_path):
    folder = tmp_path / "markers"
    folder.mkdir()
    return str(folder)


def metrics_only(record):
    """A record without its wall-clock fields (the only part allowed to differ between executions)."""
    return {k: v for k, v in record.items() if "time" not in k}
