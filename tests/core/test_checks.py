"""The validation layer (numreg.core.checks): what each check accepts, converts and refuses, and how it says so."""
import math

import numpy as np
import pytest

from numreg.core import checks


def test_a_wrong_type_is_a_type_error_and_a_value_error():
    with pytest.raises(checks.ArgumentTypeError) as info:
        checks.real("alpha", "0.5")
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert str(info.value) == "alpha must be a real number, got alpha='0.5' (str)"


@pytest.mark.parametrize("v", [math.nan, math.inf, -math.inf])
def test_real_refuses_non_finite_values_naming_the_argument(v):
    with pytest.raises(ValueError, match=f"lr must be a finite number, got lr={v}"):
        checks.real("lr", v)
    kept = checks.real("v", v, finite=False, allow_nan=True)
    assert kept == v or (math.isnan(kept) and math.isnan(v))


@pytest.mark.parametrize("v", [True, np.bool_(False), None, 1j, [1.0], "1"])
def test_real_refuses_what_is_not_a_real_number(v):
    with pytest.raises(TypeError, match="x must be a real number"):
        checks.real("x", v)


def test_real_converts_numpy_scalars_0d_arrays_and_huge_ints():
    assert checks.real("x", np.float32(0.5)) == 0.5 and type(checks.real("x", np.array(2))) is float
    assert checks.real("alpha", 2 ** 70) == float(2 ** 70)          # finite: valid (np.isfinite raised TypeError)
    with pytest.raises(ValueError, match="fits in a float"):
        checks.real("alpha", 10 ** 400)


def test_bounds_and_their_messages():
    with pytest.raises(ValueError, match=r"p must be a finite number >= 0 and < 1, got p=1.0"):
        checks.probability("p", 1.0)
    assert checks.probability("p", 1.0, allow_one=True) == 1.0
    with pytest.raises(ValueError, match=r"c must be a finite number > 0, got c=0"):
        checks.positive("c", 0)
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 5\], got n=6"):
        checks.integer("n", 6, low=0, high=5)


@pytest.mark.parametrize("v", [2.0, 2.5, True, "3", None, math.nan])
def test_integer_refuses_floats_bools_and_strings(v):
    with pytest.raises(TypeError, match="epochs must be an integer >= 1"):
        checks.count("epochs", v)


def test_flag_choice_pair_and_interval():
    assert checks.flag("b", np.bool_(True)) is True
    with pytest.raises(TypeError, match="verbose must be True or False, got verbose=1"):
        checks.flag("verbose", 1)
    with pytest.raises(ValueError, match="mode must be one of 'min', 'max', got mode='mean'"):
        checks.choice("mode", "mean", ("min", "max"))
    assert checks.interval("degrees", 15, symmetric=True) == (-15.0, 15.0)
    with pytest.raises(ValueError, match=r"scale must be a pair \(lo, hi\) with lo <= hi"):
        checks.interval("scale", (2, 1))
    with pytest.raises(ValueError, match=r"clip\[1\] must be a number \(not NaN\)"):
        checks.interval("clip", (0, math.nan), finite=False)
    with pytest.raises(TypeError, match="shape must be a pair"):
        checks.pair("shape", "ab")


def test_float_array_keeps_floats_converts_integers_and_refuses_the_rest():
    a = np.ones((2, 3), np.float16)
    assert checks.float_array("X", a) is a
    assert checks.float_array("X", [[1, 2]]).dtype == np.float64
    assert checks.float_array("X", [[1, 2]], dtype=np.float32).dtype == np.float32
    for bad, match in [(np.array([["a"]]), "dtype <U1"), (np.array([1j]), "complex128"),
                       (np.array([1, None]), "object"), ([[1, 2], [3]], "ragged"), ("abc", "array of numbers"),
                       (np.ones(2, np.longdouble), "dtype float")]:
        with pytest.raises(TypeError, match=match):
            checks.float_array("X", bad)
    x = np.zeros((3, 4))
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"X must hold finite numbers, got a non-finite value X\[1, 2\]=nan"):
        checks.float_array("X", x)
    with pytest.raises(ValueError, match=r"X must have 2 dimensions, got X.shape=\(3,\)"):
        checks.float_array("X", np.zeros(3), ndim=2)
    with pytest.raises(ValueError, match="X must not be empty"):
        checks.float_array("X", np.zeros((0, 3)))


def test_labels():
    assert checks.labels("y", [0.0, 2.0], 2, 3).dtype == np.int64
    with pytest.raises(ValueError, match=r"y holds label 3, outside \[0, 3\)"):
        checks.labels("y", [0, 3], 2, 3)
    with pytest.raises(ValueError, match="y must hold integer class labels"):
        checks.labels("y", [0.5, 1.0], 2)
    with pytest.raises(TypeError, match="not bools"):
        checks.labels("y", [True, False], 2)


def test_float_dtype_and_allocation():
    assert checks.float_dtype("dtype", "float32") == np.float32
    for bad in (np.int8, None, "nonsense", object):
        with pytest.raises(TypeError, match="dtype must be a float dtype"):
            checks.float_dtype("dtype", bad)
    with pytest.raises(ValueError, match=r"n_classes=1000000000000 asks for an array of shape"):
        checks.allocation("n_classes", 10 ** 12, 100, 10 ** 12)
    assert checks.allocation("n", 10, 10, 10) == 800


def test_objects():
    with pytest.raises(TypeError, match=r"params\[1\] must be a int, got params\[1\]='a'"):
        checks.as_list([1, "a"], int, "params")
    with pytest.raises(TypeError, match="criterion must be a loss"):
        checks.has_methods("criterion", object(), ("forward",), "a loss")
    with pytest.raises(TypeError, match="criterion must be a loss"):
        checks.has_methods("criterion", type("Loss", (), {"forward": lambda self: 0}), ("forward",), "a loss")
    with pytest.raises(TypeError, match="path must be a file path"):
        checks.path("path", 3)
    with pytest.raises(ValueError, match="path must be a non-empty file path"):
        checks.path("path", "")
    assert checks.seed("seed", None) is None and checks.seed("seed", np.int64(3)) == 3
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got seed=-1"):
        checks.seed("seed", -1)


def test_non_finite_error_is_a_value_error_and_a_floating_point_error():
    assert issubclass(checks.NonFiniteError, ValueError) and issubclass(checks.NonFiniteError, FloatingPointError)
