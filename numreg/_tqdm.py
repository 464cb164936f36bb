"""Which tqdm bar to draw: the notebook widget where ipywidgets is installed, the text bar elsewhere.

Imported when a bar is made, not with numreg: ``tqdm.auto`` warns at import
(``TqdmWarning: IProgress not found``) in a notebook without ipywidgets, and
``import numreg`` must stay quiet.
"""
import importlib.util


def tqdm_class():
    """``tqdm.auto.tqdm`` if ipywidgets can be imported, else ``tqdm.tqdm``."""
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm
