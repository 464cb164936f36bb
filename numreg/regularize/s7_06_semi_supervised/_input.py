"""Checks shared by the semi-supervised methods of §7.6: labeled and unlabeled points."""
import numpy as np

from ...core import checks
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
    if X_l.shape[1] != X_u.shape[1]:
        raise ValueError(f"X_labeled and X_unlabeled must have the same width, got X_labeled.shape="
                         f"{np.shape(X_labeled)} and X_unlabeled.shape={np.shape(X_unlabeled)}")
    n_classes = checks.optional(checks.count, "n_classes", n_classes)
    y = checks.labels("y_labeled", y_labeled, len(X_l), n_classes)
    if n_classes is None:
        n_classes = int(y.max()) + 1
        checks.allocation("y_labeled", f"labels up to {n_classes - 1}", len(X_l) + len(X_u), n_classes)
    checks.allocation("n_classes", n_classes, len(X_l) + len(X_u), n_classes)
    if X_u.dtype != X_l.dtype:
        dtype = np.result_type(X_l.dtype, X_u.dtype)
        X_l, X_u = X_l.astype(dtype, copy=False), X_u.astype(dtype, copy=False)
    return X_l, y, X_u, int(n_classes)
