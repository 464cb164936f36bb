"""The progress bar of a study: runs done, failed and remaining, and an ETA (tqdm)."""
from .._tqdm import tqdm_class


class Progress:
    """A tqdm bar over a study's runs, counting runs already done on disk as done.

    Parameters
    ----------
    total : int
        Runs in the study.
    done : int, default 0
        Runs already done before this call (shown as done, not timed).
    enabled : bool, default True
        False: no bar, nothing printed.
    name : str, default "study"
        The bar's label.
    """

    def __init__(self, total, done=0, enabled=True, name="study"):
        self.total, self.done, self.failed = total, done, 0
        self.bar = tqdm_class()(total=total, initial=done, desc=name, unit="run", disable=not enabled,
                        dynamic_ncols=True, mininterval=0.5)
        self._postfix()

    def _postfix(self):
        self.bar.set_postfix(done=self.done, failed=self.failed,
                             remaining=self.total - self.done - self.failed, refresh=False)

    def update(self, ok):
        """One run finished (``ok``) or failed for good."""
        if ok:
            self.done += 1
        else:
            self.failed += 1
        self._postfix()
        self.bar.update(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()
