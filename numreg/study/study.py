"""What a study is: a name, a run function, a grid of configurations and a list of seeds."""
import itertools
from dataclasses import dataclass

from .keys import canonical_json, check_seed, run_key


def grid(**axes):
    """Every combination of the values of ``axes``, as a list of configuration dicts.

    Parameters
    ----------
    **axes : sequence
        One keyword per hyper-parameter, with the values it takes, e.g.
        ``grid(dropout=[0.0, 0.5], l2=[0.0, 1e-4])`` gives 4 configurations,
        the last axis varying fastest.

    Returns
    -------
    list of dict

    Raises
    ------
    ValueError
        No axis, or an axis with no value.
    TypeError
        An axis given as a string or as a single value instead of a sequence.
    """
    if not axes:
        raise ValueError("grid needs at least one axis, got grid()")
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"grid axis {name} must be a sequence of values, got {name}={values!r}")
        if len(list(values)) == 0:
            raise ValueError(f"grid axis {name} must have at least one value, got {name}={values!r}")
    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*(list(axes[n]) for n in names))]


def _check_configs(configs):
    if isinstance(configs, dict) or not hasattr(configs, "__iter__"):
        raise TypeError(f"configs must be a list of dicts, got configs={configs!r:.200}")
    configs = [dict(c) if isinstance(c, dict) else c for c in configs]
    if not configs:
        raise ValueError("configs must hold at least one configuration, got configs=[] (an empty grid)")
    seen = set()
    for c in configs:
        if not isinstance(c, dict):
            raise TypeError(f"each configuration must be a dict, got {c!r:.200}")
        text = canonical_json(c)
        if text in seen:
            raise ValueError(f"configs holds the configuration {text} twice")
        seen.add(text)
    return configs


def _check_seeds(seeds):
    if isinstance(seeds, bool):
        raise TypeError(f"seeds must be a number of seeds >= 1 or a list of seeds, got seeds={seeds!r}")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"seeds must be >= 1, got seeds={seeds!r}")
        return tuple(range(seeds))
    if not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a number of seeds >= 1 or a list of seeds, got seeds={seeds!r}")
    out = tuple(check_seed(s, "seeds[i]") for s in seeds)
    if not out:
        raise ValueError(f"seeds must hold at least one seed, got seeds={seeds!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"seeds must not repeat a seed, got seeds={list(out)!r}")
    return out


@dataclass(frozen=True)
class Study:
    """A grid of configurations x seeds, and the function that trains and evaluates one run.

    Parameters
    ----------
    name : str
        A short name (the default output folder, the figures' titles).
    run : callable
        ``run(config, seeds) -> dict``: trains and evaluates one run and
        returns its record (see :func:`numreg.study.check_record`).
        ``config`` is one configuration dict, ``seeds`` the run's
        :class:`numreg.study.RunSeeds`. For a process pool or Dask it must
        be picklable: a function defined at the top level of a module.
    configs : list of dict
        The configurations (e.g. from :func:`numreg.study.grid`); at least
        one, no two equal. Values: JSON scalars, lists and dicts.
    seeds : int or sequence of int, default 3
        A number of seeds ``n`` (seeds ``0 .. n-1``, n >= 1) or the seeds.

    Raises
    ------
    ValueError
        An empty name, an empty grid, a repeated configuration, seeds < 1.
    TypeError
        ``run`` not callable, a configuration that is not a dict.
    """

    name: str
    run: object
    configs: list
    seeds: tuple = 3

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name must be a non-empty string, got name={self.name!r}")
        if not callable(self.run):
            raise TypeError(f"run must be a callable run(config, seeds) -> dict, got run={self.run!r}")
        object.__setattr__(self, "configs", _check_configs(self.configs))
        object.__setattr__(self, "seeds", _check_seeds(self.seeds))

    def runs(self):
        """Every run as ``(key, config, seed)``, configurations in order, seeds within each."""
        return [(run_key(c, s), c, s) for c in self.configs for s in self.seeds]

    def describe(self):
        """A JSON-ready description: the name, the run function's name, the configurations and seeds."""
        fn = f"{getattr(self.run, '__module__', '?')}.{getattr(self.run, '__qualname__', repr(self.run))}"
        return {"name": self.name, "run": fn, "configs": self.configs, "seeds": list(self.seeds)}


def label(config):
    """A configuration as short text, ``"dropout=0.5, l2=0.0001"`` (``"-"`` for an empty one)."""
    return ", ".join(f"{k}={v}" for k, v in config.items()) or "-"
