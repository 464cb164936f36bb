"""Training: the seed notebook's loop (``fit``), its history, the callbacks it calls, its checkpoints.

- :mod:`~numreg.training.loop`: ``fit``, the step and the epoch loop;
- :mod:`~numreg.training.hooks`: the techniques around a step (augment, weight noise, penalties, ...);
- :mod:`~numreg.training.run`: the run's bookkeeping (batches, validation, log, best weights);
- :mod:`~numreg.training.inputs`: what ``fit`` checks before its first step;
- :mod:`~numreg.training.state`: ``TrainState`` (what callbacks see), ``evaluate``, ``predict``;
- :mod:`~numreg.training.history`, :mod:`~numreg.training.callbacks`, :mod:`~numreg.training.checkpoint`.
"""
from .callbacks import Callback
from .history import History
from .state import TrainState, evaluate, predict
from .loop import fit
