import csv
import json

import pytest

import numreg.study as st


def recs():
    out = []
    for lr, values in ((0.1, [1.0, 2.0, 3.0]), (0.01, [4.0, 4.0, None])):
        out += [{"config": {"lr": lr, "net": "a"}, "seed": s, "record": {"loss": v, "epochs": 5, "tag": "x"}}
                for s, v in enumerate(values)]
    return out


def test_aggregate_by_hand():
    rows = st.aggregate(recs())
    assert rows[0] == {"lr": 0.1, "net": "a", "n": 3, "loss_mean": 2.0, "loss_std": 1.0, "epochs_mean": 5.0,
                       "epochs_std": 0.0}
    assert rows[1]["loss_mean"] == 4.0 and rows[1]["loss_std"] == 0.0 and rows[1]["loss_n"] == 2   # None left out
    assert "tag_mean" not in rows[0]


def test_format_and_write_table(tmp_path):
    rows = st.aggregate(recs(), ["loss"])
    lines = st.format_table(rows, ["loss"], digits=3)
    assert lines[0].split() == ["lr", "net", "n", "loss"]
    assert lines[2].split() == ["0.1", "a", "3", "2.000", "±", "1.000"]
    csv_path, json_path = st.write_table(rows, str(tmp_path / "table"))
    with open(csv_path) as f:
        got = list(csv.DictReader(f))
    assert got[0]["loss_mean"] == "2.0" and got[1]["loss_n"] == "2"
    assert json.loads(open(json_path).read()) == rows


def test_aggregate_rejects_bad_input():
    with pytest.raises(ValueError, match="records"):
        st.aggregate([])
    bad = recs()
    bad[0]["record"]["loss"] = "high"
    with pytest.raises(ValueError, match="'loss' must be a finite number"):
        st.aggregate(bad, ["loss"])
