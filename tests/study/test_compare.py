import numpy as np
import pytest

import numreg.study as st
from numreg.study.compare import bootstrap_interval, t_interval
import study_runs as runs


def envelopes(values_a, values_b, metric="acc"):
    """Hand-made run envelopes: config A = {"p": 0}, B = {"p": 1}, seeds 0..n-1."""
    out = []
    for p, values in ((0, values_a), (1, values_b)):
        out += [{"config": {"p": p}, "seed": s, "record": {metric: float(v)}} for s, v in enumerate(values)]
    return out


@pytest.mark.parametrize("nu", [1, 2, 4, 9, 30, 200])
@pytest.mark.parametrize("q", [0.6, 0.975, 0.995])
def test_t_quantile_against_scipy(nu, q):
    scipy_stats = pytest.importorskip("scipy.stats")
    assert st.t_quantile(q, nu) == pytest.approx(scipy_stats.t.ppf(q, nu), rel=1e-8)
    assert st.t_quantile(1 - q, nu) == pytest.approx(-scipy_stats.t.ppf(q, nu), rel=1e-8)


def test_t_quantile_known_values_and_bad_input():
    assert st.t_quantile(0.975, 1) == pytest.approx(12.7062047, rel=1e-7)     # tan(0.475 pi)
    assert st.t_quantile(0.975, 10) == pytest.approx(2.2281389, rel=1e-7)
    with pytest.raises(ValueError, match="q=1"):
        st.t_quantile(1, 3)
    with pytest.raises(ValueError, match="nu=0"):
        st.t_quantile(0.9, 0)


def test_paired_difference_by_hand():
    # B - A = [1, 2, 3] exactly: mean 2, sd 1, t interval 2 +- t_{2,0.975} / sqrt(3)
    res = st.paired_difference(envelopes([10, 20, 30], [11, 22, 33]), "acc", {"p": 0}, {"p": 1}, n_boot=1000)
    assert res.differences == (1.0, 2.0, 3.0) and res.n == 3 and res.mean == 2.0 and res.std == 1.0
    half = 4.302652729749464 / np.sqrt(3)
    assert res.t_interval == pytest.approx((2 - half, 2 + half), rel=1e-9)
    lo, hi = res.bootstrap_interval
    assert 1.0 <= lo < 2.0 < hi <= 3.0


def test_pairing_removes_the_seed_to_seed_spread():
    # a huge common seed effect, a small constant treatment effect: the paired interval is tight around it
    rng = np.random.default_rng(0)
    common = rng.normal(0, 10, 8)
    a, b = common, common + 0.5 + 0.01 * np.array([1, -1] * 4)     # differences: mean 0.5, sd 0.0107
    res = st.paired_difference(envelopes(a, b), "acc", {"p": 0}, {"p": 1})
    assert res.t_interval[0] < 0.5 < res.t_interval[1] and res.t_interval[1] - res.t_interval[0] < 0.05
    assert res.bootstrap_interval[0] < 0.5 < res.bootstrap_interval[1]
    unpaired_half = 2 * np.sqrt(a.var(ddof=1) / 8 + b.var(ddof=1) / 8)
    assert unpaired_half > 5                                       # two means' error bars would hide it


def test_interval_coverage_on_a_known_difference():
    # d ~ N(0.3, 1), n = 10: the 95% t interval must contain 0.3 about 95% of the time
    rng = np.random.default_rng(2024)
    trials = 600
    d = rng.normal(0.3, 1.0, size=(trials, 10))
    t_hits = np.mean([lo <= 0.3 <= hi for lo, hi in (t_interval(x, 0.95) for x in d)])
    b_hits = np.mean([lo <= 0.3 <= hi for lo, hi in (bootstrap_interval(x, 0.95, 1000, i) for i, x in enumerate(d))])
    assert 0.93 <= t_hits <= 0.97               # binomial sd ~0.009 at 600 trials
    assert 0.87 <= b_hits <= 0.95               # the percentile bootstrap under-covers a little at n = 10
    # a 50% interval covers about half the time: the check above is not passed by always-wide intervals
    assert 0.44 <= np.mean([lo <= 0.3 <= hi for lo, hi in (t_interval(x, 0.5) for x in d)]) <= 0.56


def test_paired_difference_rejects_bad_input():
    recs = envelopes([1, 2, 3], [2, 3, 4])
    with pytest.raises(ValueError, match="at least 2 seeds"):
        st.paired_difference(recs, "acc", {"p": 0}, {"p": 7})
    with pytest.raises(ValueError, match="confidence=1.5"):
        st.paired_difference(recs, "acc", {"p": 0}, {"p": 1}, confidence=1.5)
    with pytest.raises(ValueError, match="n_boot=10"):
        st.paired_difference(recs, "acc", {"p": 0}, {"p": 1}, n_boot=10)
    recs[4]["record"]["acc"] = float("nan")
    with pytest.raises(ValueError, match="finite"):
        st.paired_difference(recs, "acc", {"p": 0}, {"p": 1})
    with pytest.raises(ValueError, match="factor='q'"):
        st.paired_differences(recs, "acc", "q", 0)


def test_paired_differences_pair_each_config_with_its_twin():
    recs = []
    for dropout in (0.0, 0.5):
        for l2 in (0, 1):
            recs += [{"config": {"dropout": dropout, "l2": l2}, "seed": s,
                      "record": {"acc": 10 * l2 + s + (2.0 if dropout else 0.0)}} for s in range(3)]
    diffs = st.paired_differences(recs, "acc", "dropout", 0.0, n_boot=200)
    assert [(d.baseline, d.treatment) for d in diffs] == [({"dropout": 0.0, "l2": 0}, {"dropout": 0.5, "l2": 0}),
                                                          ({"dropout": 0.0, "l2": 1}, {"dropout": 0.5, "l2": 1})]
    assert all(d.differences == (2.0, 2.0, 2.0) for d in diffs)
    lines = st.format_differences(diffs)
    assert lines[0].startswith("acc: dropout=0.5 vs dropout=0.0 [l2=0]: +2.0000 (paired t 95% [+2.0000, +2.0000]")


def test_ab_runs_see_identical_data_streams(tmp_path):
    """Configs that differ only in the technique get the same split, batch order and augmentation draws."""
    s = st.Study("ab", runs.tiny_run, st.grid(dropout=[0.0, 0.5], l2=[0.0, 0.01]), seeds=2)
    r = st.run_study(s, tmp_path / "out", executor="local", progress=False)
    by_seed = {}
    for e in r.records:
        by_seed.setdefault(e["seed"], []).append(e["record"])
    for seed, records in by_seed.items():
        assert all(rec["batches"] == records[0]["batches"] for rec in records)          # same stream ...
        assert len({rec["weight_sum"] for rec in records}) == 4                         # ... different models
        assert len(records[0]["batches"]) == 3 * 8                                     # 3 epochs x 8 batches
    assert by_seed[0][0]["batches"] != by_seed[1][0]["batches"]                       # the seed does matter
