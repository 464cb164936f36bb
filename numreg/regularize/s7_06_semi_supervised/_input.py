"""Checks shared by the semi-supervised methods of §7.6: labeled and unlabeled points."""
import numpy as np

from .kmeans import _as_points


def check_ssl_data(X_labeled, y_labeled, X_unlabeled, n_classes=None):
    """Validate a semi-supervised problem; returns ``(X_l, y_l, X_u, n_classes)``.

    ``X_l: (l, d)`` and ``X_u: (u, d)`` as 2-D views (images are flattened),
    ``y_l: (l,)`` integer labels in ``[0, n_classes)``. Raises ``ValueError``
    naming the argument and the value for: no labeled example, labels that
    do not match ``X_labeled``, labeled and unlabeled data of different
    widths, non-integer or negative labels, or labels ``>= n_classes``.
    """
    X_l = _as_points(X_labeled, "X_labeled")
    X_u = _as_points(X_unlabeled, "X_unlabeled")
    y = np.asarray(y_labeled)
    if len(X_l) == 0:
        raise ValueError(f"X_labeled must hold at least one labeled example, got X_labeled.shape={np.shape(X_labeled)}")
    if y.ndim != 1 or len(y) != len(X_l):
        raise ValueError(f"y_labeled must be one integer label per row of X_labeled ({len(X_l)},), "
                         f"got y_labeled.shape={y.shape}")
    if X_l.shape[1] != X_u.shape[1]:
        raise ValueError(f"X_labeled and X_unlabeled must have the same width, got X_labeled.shape="
                         f"{np.shape(X_labeled)} and X_unlabeled.shape={np.shape(X_unlabeled)}")
    if not np.issubdtype(y.dtype, np.integer):
        if y.dtype.kind == "f" and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"y_labeled must hold integer class labels, got y_labeled.dtype={y.dtype}")
    if y.min() < 0:
        raise ValueError(f"y_labeled must hold labels >= 0, got label {int(y.min())}")
    if n_classes is None:
        n_classes = int(y.max()) + 1
    elif isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be an integer >= 1, got n_classes={n_classes!r}")
    elif y.max() >= n_classes:
        raise ValueError(f"y_labeled holds label {int(y.max())}, outside [0, {n_classes}) for n_classes={n_classes}")
    if X_u.dtype != X_l.dtype:
        dtype = np.result_type(X_l.dtype, X_u.dtype)
        X_l, X_u = X_l.astype(dtype, copy=False), X_u.astype(dtype, copy=False)
    return X_l, y, X_u, int(n_classes)
