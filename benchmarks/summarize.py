"""Print a markdown table of ``bench_train.py`` records (the figures in ``benchmarks/README.md``).

    python benchmarks/summarize.py benchmarks/records/2026-12-03/*.json

One row per record: the network, the thread count, the epoch against the
GEMM floor (wall time, and the per-step minima), against PyTorch, and the
loaded/quiet ratio with the threads the policy chose under load.
"""
import json
import sys
from pathlib import Path


def rows(paths):
    """One dict per (record, network) with the figures the targets are about."""
    for path in paths:
        record = json.loads(Path(path).read_text())
        for net, r in record["results"].items():
            load = r.get("under_load", {})
            yield {
                "record": Path(path).name,
                "network": net.split()[0],
                "threads": r["threads"],
                "floor": r["ratio"],
                "floor_minima": r.get("per_step_minima", {}).get("ratio"),
                "torch": r.get("torch", {}).get("numreg_over_torch"),
                "loaded_over_quiet": load.get("loaded_over_quiet"),
                "loaded_threads": load.get("loaded", {}).get("threads"),
                "load_average_during": max(r.get("load_average_during") or [float("nan")]),
            }


def table(paths):
    """The markdown table of :func:`rows`."""
    head = ("record", "network", "threads", "floor", "floor_minima", "torch", "loaded_over_quiet",
            "loaded_threads", "load_average_during")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows(paths):
        lines.append("| " + " | ".join("" if row[k] is None else str(row[k]) for k in head) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(table(sys.argv[1:]))
