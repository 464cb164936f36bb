import math

import numpy as np
import pytest

from numreg.study import canonical_json, run_key, run_seeds


def test_key_ignores_order_tuples_and_numpy_scalars():
    a = run_key({"dropout": 0.5, "hidden": (64, 64), "name": "x"}, 0)
    b = run_key({"name": "x", "hidden": [np.int64(64), 64], "dropout": np.float64(0.5)}, np.int64(0))
    assert a == b and len(a) == 20 and int(a, 16) >= 0


def test_key_changes_with_config_and_seed():
    keys = {run_key({"dropout": p}, s) for p in (0.0, 0.5, 0.25) for s in (0, 1, 2)}
    assert len(keys) == 9
    assert run_key({"l2": 1}, 0) != run_key({"l2": 1.0000001}, 0)


def test_key_is_a_known_sha256():
    # the first 20 hex digits of sha256(b'{"config":{"a":1},"seed":3}'), written down once: the key of a
    # run must never change between versions, or every study folder would be run again
    assert canonical_json({"config": {"a": 1}, "seed": 3}) == '{"config":{"a":1},"seed":3}'
    assert run_key({"a": 1}, 3) == "dda2b5bf8fe259921da8"


@pytest.mark.parametrize("config, err", [({"a": math.nan}, ValueError), ({"a": math.inf}, ValueError),
                                         ({"a": {1, 2}}, TypeError), ({"a": np.zeros(2)}, TypeError),
                                         ({1: "a"}, TypeError)])
def test_canonical_json_rejects_what_json_cannot_hold(config, err):
    with pytest.raises(err, match="config"):
        run_key(config, 0)


@pytest.mark.parametrize("seed, err", [(-1, ValueError), (1.0, TypeError), (True, TypeError), ("0", TypeError)])
def test_bad_seed(seed, err):
    with pytest.raises(err, match="seed"):
        run_key({}, seed)
    with pytest.raises(err, match="seed"):
        run_seeds(seed)


def test_seed_streams_are_deterministic_distinct_and_in_range():
    a, b = run_seeds(7), run_seeds(7)
    assert a == b
    values = [a.split, a.shuffle, a.augment, a.noise, a.model]
    assert len(set(values)) == 5 and all(0 <= v < 2**63 for v in values)
    assert run_seeds(8).shuffle != a.shuffle
    # each stream is SeedSequence(seed).spawn(5)[i]: the shuffle stream is child 1
    child = np.random.SeedSequence(7).spawn(5)[1]
    assert a.shuffle == int(child.generate_state(1, np.uint64)[0]) >> 1
