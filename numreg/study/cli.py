"""The command line every study shares: ``--executor``, ``--seeds``, ``--quick``, ``--data``, ``--out`` ...

An experiment script declares its study (a grid and a run function) and
hands it to :func:`main`, which parses the shared options, runs the study,
prints the tidy table and writes it as CSV and JSON::

    python experiments/label_smoothing.py --quick
    python experiments/label_smoothing.py --executor dask --workers 2
    python experiments/label_smoothing.py --executor dask --scheduler tcp://scheduler:8786
"""
import argparse
import os

from numreg.data.datasets import NAMES

from .aggregate import aggregate, config_columns, constant_columns, format_table, write_table
from .executors import EXECUTORS
from .runner import run_study


def add_study_arguments(parser, seeds=3, data="font-digits"):
    """Add the shared options to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    seeds : int, default 3
        Default of ``--seeds`` (seeds 0 .. n-1).
    data : str, default "font-digits"
        Default of ``--data``.
    """
    g = parser.add_argument_group("study options (shared by every experiment)")
    g.add_argument("--executor", choices=EXECUTORS, default="processes",
                   help="where runs go: this process, a local process pool, or Dask (default processes)")
    g.add_argument("--workers", type=int, default=None, help="processes of the pool or local Dask cluster "
                   "(default: one per core)")
    g.add_argument("--scheduler", default=None, help="address of a Dask scheduler, e.g. tcp://scheduler:8786 "
                   "(with --executor dask; default: a local cluster)")
    g.add_argument("--seeds", type=int, default=seeds, help=f"seeds per configuration (default {seeds})")
    g.add_argument("--quick", action="store_true", help="a small version that runs in a minute or less")
    g.add_argument("--data", choices=NAMES, default=data, help=f"data set (default {data})")
    g.add_argument("--out", default=None, help="the study's folder (default runs/<study name>); "
                   "runs already recorded there are not run again")
    g.add_argument("--retries", type=int, default=2, help="further attempts of a failed run (default 2)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def check_arguments(parser, args):
    """``parser.error`` (exit 2, naming the option and value) on a bad shared option."""
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got --seeds {args.seeds}")
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers must be >= 1, got --workers {args.workers}")
    if args.retries < 0:
        parser.error(f"--retries must be >= 0, got --retries {args.retries}")
    if args.scheduler is not None and args.executor != "dask":
        parser.error(f"--scheduler needs --executor dask, got --executor {args.executor}")


def print_table(rows, metrics=None):
    """Print the tidy table: the varying configuration columns, n, and mean ± std of each metric."""
    shown = metrics or [k[:-5] for k in rows[0] if k.endswith("_mean")]
    fixed = constant_columns(rows) if len(rows) > 1 else {}
    if fixed:
        print("fixed: " + ", ".join(f"{k}={v}" for k, v in fixed.items()))
    columns = [k for k in config_columns(rows) if k not in fixed]
    print("\n".join(format_table(rows, shown, columns=columns)))


def run_and_report(study, args, metrics=None, out=None, show_table=True):
    """Run ``study`` with the shared options in ``args``, print its table (if ``show_table``), write it as
    CSV and JSON in the study's folder; return the :class:`StudyResult`."""
    out = out or args.out or os.path.join("runs", study.name)
    result = run_study(study, out, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                       retries=args.retries, progress=not args.no_progress)
    print(f"{study.name}: {len(study.runs())} runs ({len(study.configs)} configurations x {len(study.seeds)} "
          f"seeds): {result.skipped} found done in {out}, {result.executed} attempts now, "
          f"{len(result.failed)} failed")
    for key, reason in result.malformed:
        print(f"  malformed record {key} ({reason}): redone")
    for env in result.failed:
        last = env["errors"][-1].strip().splitlines()[-1]
        print(f"  FAILED {env['config']} seed {env['seed']} after {env['attempts']} attempts: {last}")
    if result.records:
        rows = aggregate(result.records, metrics)
        if show_table:
            print_table(rows, metrics)
        csv_path, json_path = write_table(rows, os.path.join(out, "table"))
        print(f"wrote {csv_path} and {json_path}")
    return result


def main(make_study, argv=None, description=None, add_arguments=None, metrics=None, report=None, seeds=3,
         show_table=True):
    """The whole command line of an experiment script.

    Parameters
    ----------
    make_study : callable
        ``make_study(args) -> Study``, from the parsed options (``args.quick``, ``args.data``, ...).
    argv : list of str or None, default None
        The arguments (None: ``sys.argv[1:]``).
    description : str or None, default None
        The ``--help`` text (the script's docstring).
    add_arguments : callable or None, default None
        ``add_arguments(parser)`` adds the script's own options.
    metrics : sequence of str or None, default None
        The metrics of the printed table (None: every numeric field).
    report : callable or None, default None
        ``report(result, args)`` prints what the script adds to the table.
    seeds : int, default 3
        Default of ``--seeds``.
    show_table : bool, default True
        Print the tidy table (it is written to ``table.csv`` / ``table.json`` either way); False when
        ``report`` prints its own tables, e.g. one per kind of run.

    Returns
    -------
    StudyResult
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    if add_arguments is not None:
        add_arguments(parser)
    add_study_arguments(parser, seeds=seeds)
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    result = run_and_report(make_study(args), args, metrics, show_table=show_table)
    if report is not None:
        report(result, args)
    return result
