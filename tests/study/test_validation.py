import pytest

import numreg.study as st
import study_runs as runs


def study(**kw):
    args = dict(name="s", run=runs.tiny_run, configs=[{"dropout": 0.0}], seeds=2)
    args.update(kw)
    return st.Study(**args)


@pytest.mark.parametrize("kw, err, match", [
    (dict(configs=[]), ValueError, "empty grid"),
    (dict(configs={"dropout": 0.0}), TypeError, "configs"),
    (dict(configs=[{"a": 1}, {"a": 1}]), ValueError, "twice"),
    (dict(configs=[{"a": 1}, 3]), TypeError, "configuration"),
    (dict(seeds=0), ValueError, "seeds=0"),
    (dict(seeds=-2), ValueError, "seeds=-2"),
    (dict(seeds=[]), ValueError, "seeds"),
    (dict(seeds=[1, 1]), ValueError, "repeat"),
    (dict(seeds=[0, -1]), ValueError, "seeds"),
    (dict(seeds=2.5), TypeError, "seeds"),
    (dict(run="tiny_run"), TypeError, "run="),
    (dict(name=""), ValueError, "name"),
])
def test_study_rejects_bad_input(kw, err, match):
    with pytest.raises(err, match=match):
        study(**kw)


def test_study_seeds_and_runs():
    s = study(configs=st.grid(dropout=[0.0, 0.5], l2=[0, 1e-3]), seeds=3)
    assert s.seeds == (0, 1, 2) and len(s.configs) == 4 and len(s.runs()) == 12
    assert s.configs[1] == {"dropout": 0.0, "l2": 1e-3}
    assert study(seeds=[5, 9]).seeds == (5, 9)


@pytest.mark.parametrize("axes, err", [({}, ValueError), ({"a": []}, ValueError), ({"a": "xy"}, TypeError),
                                       ({"a": 3}, TypeError)])
def test_grid_rejects_bad_axes(axes, err):
    with pytest.raises(err):
        st.grid(**axes)


@pytest.mark.parametrize("kw, err, match", [
    (dict(executor="threads"), ValueError, "executor='threads'"),
    (dict(executor="processes", workers=0), ValueError, "workers=0"),
    (dict(executor="local", scheduler="tcp://127.0.0.1:1"), ValueError, "scheduler"),
    (dict(executor="local", retries=-1), ValueError, "retries=-1"),
])
def test_run_study_rejects_bad_options(tmp_path, kw, err, match):
    with pytest.raises(err, match=match):
        st.run_study(study(), tmp_path / "out", progress=False, **kw)


def test_out_must_be_a_folder(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="out"):
        st.run_study(study(), f, executor="local", progress=False)


@pytest.mark.parametrize("record, err, match", [
    ([1, 2], TypeError, "must return a dict"),
    ({"loss": float("nan")}, ValueError, "loss=nan"),
    ({"loss": float("inf")}, ValueError, "loss=inf"),
    ({3: 1.0}, TypeError, "keys"),
    ({"obj": object()}, TypeError, "obj"),
])
def test_check_record(record, err, match):
    with pytest.raises(err, match=match):
        st.check_record(record)


def test_check_record_converts_numpy_and_nan_in_lists():
    import numpy as np
    r = st.check_record({"a": np.float32(0.5), "h": np.array([1.0, np.nan]), "s": "x", "n": None})
    assert r == {"a": 0.5, "h": [1.0, None], "s": "x", "n": None} and type(r["a"]) is float


@pytest.mark.parametrize("fn, match", [(runs.bad_return_run, "TypeError: the run function must return a dict"),
                                       (runs.nan_run, "ValueError: the record's loss must be a finite number")])
def test_bad_run_function_is_recorded_failed(tmp_path, fn, match):
    r = st.run_study(study(run=fn, seeds=1), tmp_path / "out", executor="local", retries=0, progress=False)
    assert not r.records and len(r.failed) == 1 and match in r.failed[0]["errors"][0]


def test_dask_is_imported_only_when_asked_for():
    import subprocess
    import sys
    code = ("import sys, numreg, numreg.study, numreg.study.cli; "
            "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=st.__file__.rsplit("/numreg/", 1)[0]).stdout
    assert out.strip() == "[]"


def test_dask_missing_says_how_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "distributed", None)          # as if not installed
    with pytest.raises(ImportError, match=r'pip install -e "\.\[distributed\]"'):
        st.open_executor("dask", workers=1)
