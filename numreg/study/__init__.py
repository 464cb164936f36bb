"""Studies: a grid of configurations x seeds, run on any executor, durable and resumable.

The chapter's claims are statistical (Srivastava et al. 2014, Table 9;
Prechelt 1998's 1,296 runs). A study is a grid of configurations, a list of
seeds, and a function that trains and evaluates one run and returns its
record; :func:`run_study` runs it on any ``concurrent.futures.Executor`` --
this process, a process pool, or a Dask cluster -- writing each record
atomically under a key hashed from its configuration and seed, so a study
killed at any moment resumes where it stopped.

    import numreg as nr
    from numreg import study as st

    def run(config, seeds):                        # one run -> a flat dict
        model = nr.mlp(hidden=(64,), dropout=config["dropout"], seed=seeds.model)
        h = nr.fit(model, ..., seed=seeds.shuffle, verbose=False)
        return {"test_accuracy": ..., **st.history_record(h)}

    s = st.Study("dropout", run, st.grid(dropout=[0.0, 0.5]), seeds=5)
    result = st.run_study(s, "runs/dropout", executor="processes")
    print("\\n".join(st.format_table(st.aggregate(result.records), ["test_accuracy"])))
    print(st.paired_differences(result.records, "test_accuracy", "dropout", 0.0))

Modules: ``keys`` (content hash), ``seeds`` (independent streams), ``records``,
``study`` (grid, Study), ``store`` (the folder), ``executors``, ``progress``,
``runner``, ``aggregate`` (the table), ``compare`` (paired differences),
``stats`` (t quantile), ``datasets`` (data cached per worker), ``cli`` (the shared command line).
"""
from .keys import canonical_json, run_key
from .seeds import RunSeeds, run_seeds
from .records import check_record, history_record
from .study import Study, grid, label
from .store import RunStore, MalformedRecordWarning
from .executors import InProcessExecutor, open_executor, EXECUTORS
from .runner import run_study, StudyResult
from .aggregate import aggregate, format_table, write_table
from .compare import PairedDifference, paired_difference, paired_differences, format_differences
from .stats import t_quantile
from .datasets import dataset

__all__ = ["canonical_json", "run_key", "RunSeeds", "run_seeds", "check_record", "history_record", "Study", "grid",
           "label", "RunStore", "MalformedRecordWarning", "InProcessExecutor", "open_executor", "EXECUTORS",
           "run_study", "StudyResult", "aggregate", "format_table", "write_table", "PairedDifference",
           "paired_difference", "paired_differences", "format_differences", "t_quantile", "dataset"]
