"""Every public callable refuses every bad argument with a clear error (issue 11).

The callables are found, not listed (``fuzzing.targets()``: everything
``import numreg as nr`` offers, and the public methods of its classes'
instances). For each one, a valid call works, and each argument replaced by
a bad value -- a wrong type, NaN or infinity, a negative, zero or huge count,
a wrong rank, an object/string/complex array, an out-of-range probability
-- raises ``ValueError`` or ``TypeError`` whose message names the argument:
nothing is silently accepted, nothing returns NaN, nothing hangs.

Two tests: every systematic bad value of ``fuzzing.bad_values`` (one pytest
case per callable), and a property-based one, where hypothesis draws the
callable, the argument and a bad value of the argument's kind (any NaN
position in an array, any string, any negative count, ...). Both are
bounded (a time limit per call, ``max_examples``) so that the file runs in
well under a minute. ``benchmarks/fuzz_table.py`` prints the same cases as
a table.
"""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing

TARGETS, SKIPPED = fuzzing.targets()
BY_NAME = {t.name: t for t in TARGETS}
SECONDS = 5.0


def test_every_public_callable_is_fuzzed():
    # A new public callable whose parameters the fuzzer cannot fill fails here, naming them:
    # add a valid value to fuzzing.VALID (by parameter name) or fuzzing.RECIPES (by callable).
    problems = {t.name: why for t in TARGETS if (why := fuzzing.baseline(t))}
    assert not problems, problems
    assert len(TARGETS) > 100   # the discovery found the API (today ~160 callables and methods)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_bad_argument_is_refused_clearly(name):
    t = BY_NAME[name]
    failures = []
    for pname, kind, value in fuzzing.cases(t):
        outcome, detail = fuzzing.run_case(t, pname, value, SECONDS)
        if outcome != "clear":
            failures.append(f"{name}({pname}=<{kind}>): {outcome}: {detail}")
    assert not failures, "\n".join(failures)


# -- property-based: hypothesis draws the bad value ----------------------------------------------------

def _kind_strategies(t, pname, valid):
    """``[(kind, strategy)]`` of bad values for ``pname`` (the kinds ``fuzzing.ALLOWED`` permits are left out)."""
    floats = st.floats(allow_nan=True, allow_infinity=True)
    if pname in fuzzing.PATH_NAMES:
        out = []
    elif valid is None:             # an optional argument: a string may be valid (a title); an object is not
        out = [] if pname in fuzzing.NONE_MEANS_DEFAULT else [("object", st.builds(object))]
    elif pname == "dtype":          # "d", "f4" and "float32" name float dtypes: draw names that do not
        out = [("string", st.sampled_from(["int8", "uint8", "object", "U3", "complex64", "bool", "no-dtype"]))]
    elif isinstance(valid, str):    # any text but an option ("no-" + text is none of numreg's options)
        out = [("unknown option", st.text(max_size=5).map(lambda v: "no-" + v))]
    else:
        out = [("string", st.text(max_size=5))]
    if isinstance(valid, (bool, np.bool_)):
        out.append(("float", floats))
    elif isinstance(valid, (int, np.integer)):
        out += [("float", floats.filter(lambda v: not float(v).is_integer())), ("bool", st.booleans())]
        if pname not in fuzzing.NONE_MEANS_DEFAULT:
            out.append(("negative", st.integers(max_value=-1)))
    elif isinstance(valid, float):
        out += [("nan", st.just(math.nan)), ("inf", st.sampled_from([math.inf, -math.inf])),
                ("complex", st.complex_numbers(min_magnitude=1e-3))]
        if pname in fuzzing.NONNEG_NAMES:
            out.append(("negative", st.floats(max_value=-1e-6, allow_infinity=False)))
        if pname in fuzzing.PROBABILITY_NAMES:
            out.append(("above one", st.floats(min_value=1.5, max_value=1e6)))
    elif isinstance(valid, np.ndarray) and valid.size:
        out += [("nan array", _with_nan(valid)), ("object array", st.just(valid.astype(object))),
                ("extra axis", st.integers(1, 3).map(lambda k: valid.reshape((1,) * k + valid.shape)))]
    allowed = (fuzzing.ALLOWED.get((t.name.split(".__")[0], pname), set())
               | fuzzing.ALLOWED.get((t.name, pname), set()))
    return [(k, s) for k, s in out if k not in allowed]


def _with_nan(a):
    """Copies of ``a`` (as float) with NaN or +-inf at a position hypothesis chooses."""
    def put(args):
        i, v = args
        b = a.astype(np.float64) if a.dtype.kind != "f" else a.copy()
        b.flat[i] = v
        return b
    return st.tuples(st.integers(0, a.size - 1), st.sampled_from([math.nan, math.inf, -math.inf])).map(put)


CHOICES = [(t.name, pname) for t in TARGETS if not t.missing
           for pname, kind in t.params if pname in t.valid and kind != kind.VAR_POSITIONAL]


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(st.data())
def test_generated_bad_arguments_are_refused_clearly(data):
    name, pname = data.draw(st.sampled_from(CHOICES), label="callable and argument")
    t = BY_NAME[name]
    kinds = _kind_strategies(t, pname, fuzzing.valid_value(t, pname, fuzzing.world()))
    if not kinds:
        return
    kind, strategy = data.draw(st.sampled_from(kinds), label="kind")
    value = data.draw(strategy, label="bad value")
    outcome, detail = fuzzing.run_case(t, pname, value, SECONDS)
    assert outcome == "clear", f"{name}({pname}=<{kind}> {value!r:.80}): {outcome}: {detail}"


def test_the_issue_s_examples():
    """The failures the issue named, each now a clear error (or, for 2**70, a valid float)."""
    import numreg as nr
    with pytest.raises(TypeError, match="dtype"):
        nr.Linear(12, 4, dtype=np.int8)
    assert nr.L2(2 ** 70).alpha == float(2 ** 70)       # a finite number: valid, not an isfinite TypeError
    with pytest.raises(ValueError, match="n_classes"):
        nr.label_propagation(np.zeros((3, 2)), [0, 1, 0], np.ones((2, 2)), k_neighbors=2, n_classes=10 ** 12)
    with pytest.raises(TypeError, match="value"):
        nr.EarlyStopping()("0.5", nr.mlp(4, (3,), 2))
    model = nr.mlp(16, (8,), 3, seed=0)
    X = np.full((4, 16), np.nan, np.float32)
    y = np.zeros(4, int)
    for call in (lambda: nr.fgsm(model, nr.SoftmaxCrossEntropy(), X, y, 0.1),
                 lambda: nr.mc_dropout_predict(model, X, 3),
                 lambda: nr.augment.affine(X.reshape(4, 4, 4), angle=5),
                 lambda: nr.corrupt.gaussian(X.reshape(4, 4, 4), 0.1),
                 lambda: nr.SoftmaxCrossEntropy().forward(X[:, :3], y),
                 lambda: nr.MSELoss().forward(X, np.zeros_like(X))):
        with pytest.raises(ValueError, match="finite"):
            call()


def test_a_nan_validation_loss_stops_every_prechelt_criterion():
    """A NaN generalization loss fires: a diverged run stops (documented in GL and Criterion.stops)."""
    import numreg as nr
    train, valid = [1.0, 0.9, 0.8], [1.0, 0.9, math.nan]
    for criterion in (nr.GL(5), nr.PQ(0.5), nr.UP(2), nr.Patience(3)):
        assert criterion(train, valid) is True
        assert criterion.first_stop(train, valid) == 3
    assert nr.GL(5)(train, [1.0, 0.9, 0.92]) is False   # GL = 100 (0.92 / 0.9 - 1) = 2.2 <= 5
