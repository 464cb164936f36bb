"""The callback protocol of :func:`numreg.fit`.

A callback is any object with some of these methods; ``fit`` calls those
that exist, with the :class:`~numreg.training.state.TrainState` of the run:

- ``on_train_begin(state)``
- ``on_step_end(state)``: after every optimizer step (``state.step`` counts them)
- ``on_epoch_end(state)``: after the epoch's validation and its log line
- ``on_train_end(state)``: always, also when training stops on a non-finite loss

Setting ``state.stop = True`` ends training after the current step or epoch.
"""


class Callback:
    """Base class with no-op hooks (subclassing it is optional)."""

    def on_train_begin(self, state):
        pass

    def on_step_end(self, state):
        pass

    def on_epoch_end(self, state):
        pass

    def on_train_end(self, state):
        pass
