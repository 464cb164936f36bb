"""The Dask path: a LocalCluster of 2 worker processes on 127.0.0.1, reached through its scheduler's address."""
import pytest

import numreg.study as st
import study_runs as runs
from study_runs import metrics_only, markers  # noqa: F401 -- markers is a fixture

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=":0")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def tiny_study(markers, fn=runs.tiny_run):
    return st.Study("tiny", fn, st.grid(dropout=[0.0, 0.5], l2=[0.0, 1e-3], markers=[markers]), seeds=2)


def test_dask_records_equal_the_in_process_ones_bit_for_bit(tmp_path, markers, scheduler):
    s = tiny_study(markers)
    d = st.run_study(s, tmp_path / "dask", executor="dask", scheduler=scheduler, progress=False)
    local = st.run_study(s, tmp_path / "local", executor="local", progress=False)
    assert d.complete and d.executed == 8
    assert [e["key"] for e in d.records] == [e["key"] for e in local.records]
    assert [metrics_only(e["record"]) for e in d.records] == [metrics_only(e["record"]) for e in local.records]
    assert len({e["record"]["final_valid_loss"] for e in d.records}) == 8      # not trivially equal


def test_dask_worker_killed_mid_run_is_retried(tmp_path, markers, scheduler):
    grid = st.grid(dropout=[0.0, 0.5], markers=[markers])
    s = st.Study("dying", runs.dying_run, grid, seeds=2)
    r = st.run_study(s, tmp_path / "out", executor="dask", scheduler=scheduler, progress=False)
    assert r.complete and not r.failed
    counts = runs.executions(markers)
    seed0 = {k for k, _, seed in s.runs() if seed == 0}
    assert len(counts) == 4 and all(counts[k] >= 2 for k in seed0)      # each died once and ran again
    ref = st.run_study(st.Study("ref", runs.tiny_run, grid, seeds=2), tmp_path / "ref", executor="local",
                       progress=False)
    assert [metrics_only(e["record"]) for e in r.records] == [metrics_only(e["record"]) for e in ref.records]


def test_dask_local_cluster_from_the_executor_name(tmp_path, markers):
    s = st.Study("one", runs.tiny_run, [{"markers": markers}], seeds=2)
    r = st.run_study(s, tmp_path / "out", executor="dask", workers=1, progress=False)
    assert r.complete and sum(runs.executions(markers).values()) == 2
