"""The random streams of one run, derived from its seed alone (A/B testing on identical streams).

A comparison of two techniques is fair only if both see the same data: the
same training/validation split, the same order of mini-batches, the same
augmentation and the same input-noise draws (the seed lecture's A/B-testing
slide). So the generators that feed the data pipeline are seeded from the
run's seed *independently of the model's*: ``np.random.SeedSequence(seed)``
spawns one child per stream, and no stream depends on the configuration.
Changing the technique (dropout, a penalty, the width) changes what the
model draws -- its initial weights, its dropout masks -- and nothing else.

How numreg draws: ``nr.fit(seed=s)`` seeds only the shuffling (the batch
order, ``rng.permutation(n)`` each epoch); ``nr.Sequential(seed=s)`` and
``nr.mlp(seed=s)`` seed the initial weights and every random layer
(dropout, ``GaussianNoise``); an augmentation (``nr.augment.RandomAffine(seed=s)``)
or ``nr.WeightNoise`` has its own generator. Give each the stream below.
"""
from dataclasses import dataclass

import numpy as np

from .keys import check_seed

STREAMS = ("split", "shuffle", "augment", "noise", "model")


@dataclass(frozen=True)
class RunSeeds:
    """The seeds of one run's random streams, each an int in [0, 2**63).

    Attributes
    ----------
    seed : int
        The run's seed, from which all the others are derived.
    split : int
        The training/validation split and any sub-sampling of the data
        (``nr.data.train_valid_split(..., seed=)``).
    shuffle : int
        The batch order: ``nr.fit(..., seed=)``.
    augment : int
        Data augmentation (``nr.augment.RandomAffine(seed=)`` ...).
    noise : int
        Noise added to the data outside the model (corruptions, noisy labels).
    model : int
        The model's initial weights and its own random layers (dropout,
        ``GaussianNoise``): ``nr.mlp(seed=)``, ``nr.Sequential(seed=)``.
        The only stream that two techniques may legitimately draw differently.
    """

    seed: int
    split: int
    shuffle: int
    augment: int
    noise: int
    model: int


def run_seeds(seed):
    """The :class:`RunSeeds` of a run's seed, through ``np.random.SeedSequence(seed).spawn``.

    Parameters
    ----------
    seed : int
        The run's seed, >= 0.

    Returns
    -------
    RunSeeds
        The same for the same seed in every process, whatever the configuration.
    """
    seed = check_seed(seed)
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    drawn = [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]   # in [0, 2**63)
    return RunSeeds(seed, **dict(zip(STREAMS, drawn)))
