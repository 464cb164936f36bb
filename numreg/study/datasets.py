"""Data sets for run functions: loaded once per worker process, the same in every run.

A study's runs load the same data over and over, each in whatever process
the executor picked; :func:`dataset` keeps the last few in memory per
process. The sample of a data set (which images) is fixed by its arguments,
not by the run's seed, so every configuration and every seed of a study
draws from the same examples; what a seed changes is drawn from its
:class:`numreg.study.RunSeeds` (the split, the batch order, the model).
"""
import functools

from numreg.data.datasets import load_dataset


@functools.lru_cache(maxsize=4)
def _cached(name, n_train, n_test, seed):
    (X, y), (Xt, yt) = load_dataset(name, n_train, n_test, seed=seed)
    for a in (X, y, Xt, yt):
        a.setflags(write=False)    # shared between the runs of this process: nobody may change it
    return (X, y), (Xt, yt)


def dataset(name="font-digits", n_train=None, n_test=None, seed=0):
    """``((X, y), (X_test, y_test))`` of ``nr.data.load_dataset``, cached per process (read-only arrays).

    Parameters
    ----------
    name : {"font-digits", "mnist", "fashion-mnist"}, default "font-digits"
    n_train, n_test : int or None, default None
        Sizes (None: the whole set).
    seed : int, default 0
        Seed of the generated images or of the sub-sample: part of the
        study's configuration, not of the run's seed.
    """
    return _cached(name, n_train, n_test, seed)
