"""The fuzz table of numreg's public API: per callable, the bad calls tried and how each ended.

    python benchmarks/fuzz_table.py [--only NAME] [--seconds S] [--details]

For every public callable (found from ``import numreg as nr``, see
``tests/fuzzing.py``) and every bad argument the fuzzer makes for it, one
call; the columns count the outcomes: ``clear`` (a ValueError/TypeError
naming the argument), ``obscure`` (another exception, or a message without
the argument's name), ``silent`` (the call returned: a bad value accepted,
or NaN in the output) and ``hung`` (no answer within ``--seconds``). The
acceptance figure is the last line: 100% clear. ``--details`` prints every
case that is not clear. Exit status 1 if any is not.
"""
import argparse
import os
import pathlib
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]   # this checkout's numreg, not an installed one

import fuzzing  # noqa: E402

OUTCOMES = ("clear", "obscure", "silent", "hung")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=None, help="fuzz only callables whose name contains this text")
    ap.add_argument("--seconds", type=float, default=5.0, help="time limit of one call (default 5)")
    ap.add_argument("--details", action="store_true", help="print every case that is not clear")
    args = ap.parse_args(argv)
    targets, skipped = fuzzing.targets()
    rows, details, problems = [], [], []
    t0 = time.perf_counter()
    for t in targets:
        if args.only and args.only not in t.name:
            continue
        why = fuzzing.baseline(t)
        if why:
            problems.append((t.name, why))
            continue
        counts = dict.fromkeys(OUTCOMES, 0)
        for pname, kind, value in fuzzing.cases(t):
            outcome, detail = fuzzing.run_case(t, pname, value, args.seconds)
            counts[outcome] += 1
            if outcome != "clear":
                details.append(f"  {t.name}({pname}=<{kind}>): {outcome}: {detail}")
        rows.append((t.name, counts))
    width = max((len(n) for n, _ in rows), default=10)
    print(f"{'callable':<{width}}  {'tried':>5}  " + "  ".join(f"{o:>7}" for o in OUTCOMES))
    total = dict.fromkeys(OUTCOMES, 0)
    for name, c in rows:
        tried = sum(c.values())
        print(f"{name:<{width}}  {tried:>5}  " + "  ".join(f"{c[o]:>7}" for o in OUTCOMES))
        for o in OUTCOMES:
            total[o] += c[o]
    tried = sum(total.values())
    print(f"{'TOTAL (' + str(len(rows)) + ' callables)':<{width}}  {tried:>5}  "
          + "  ".join(f"{total[o]:>7}" for o in OUTCOMES))
    print(f"clear: {100.0 * total['clear'] / max(tried, 1):.1f}% of {tried} cases "
          f"({time.perf_counter() - t0:.0f} s)")
    for name, why in problems:
        print(f"not fuzzed: {name}: {why}")
    print(f"skipped on purpose: {len(skipped)} ({', '.join(sorted(skipped))})")
    if args.details and details:
        print("\nnot clear:")
        print("\n".join(details))
    return 0 if tried and total["clear"] == tried and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
