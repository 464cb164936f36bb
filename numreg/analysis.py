"""The closed-form results of chapter 7 in one place: each lives in its section's ``theory`` module.

``nr.analysis`` gathers them for a reader who wants them side by side; the
code of each is in its section, next to the technique it describes:

- §7.1 (``regularize/s7_01_norm_penalties/theory.py``): :func:`ridge`,
  :func:`lasso`, :func:`l2_shrinkage` (Eq. 7.13), :func:`l1_solution`
  (Eq. 7.23), :func:`l1_quadratic`.
- §7.2 (``regularize/s7_02_constraints/theory.py``): :func:`constrained_alpha`
  (Eq. 7.25-7.27).
- §7.3 (``regularize/s7_03_under_constrained/theory.py``): :func:`weight_decay_inverse`,
  :func:`pseudo_inverse_limit` (Eq. 7.29), :func:`min_norm_gradient_descent`,
  :func:`logistic_trajectory`, :func:`separable_classes`.
- §7.5 (``regularize/s7_05_noise/theory.py``): :func:`weight_noise_penalty`.
- §7.8 (``regularize/s7_08_early_stopping/theory.py``):
  :func:`early_stopping_trajectory`, :func:`early_stopping_alpha`
  (Eq. 7.33-7.45).
- :func:`make_correlated_regression` (``data/synthetic.py``): a regression
  problem with correlated features, for regularization paths.
"""
from .regularize.s7_01_norm_penalties.theory import l2_shrinkage, ridge, l1_solution, l1_quadratic, lasso
from .regularize.s7_02_constraints.theory import constrained_alpha
from .regularize.s7_05_noise.theory import weight_noise_penalty
from .regularize.s7_03_under_constrained.theory import (weight_decay_inverse, pseudo_inverse_limit,
                                                        min_norm_gradient_descent, logistic_trajectory,
                                                        separable_classes)
from .regularize.s7_08_early_stopping.theory import early_stopping_trajectory, early_stopping_alpha
from .data.synthetic import make_correlated_regression

__all__ = ["l2_shrinkage", "ridge", "l1_solution", "l1_quadratic", "lasso", "constrained_alpha",
           "weight_noise_penalty", "early_stopping_trajectory", "early_stopping_alpha",
           "make_correlated_regression", "weight_decay_inverse", "pseudo_inverse_limit", "min_norm_gradient_descent",
           "logistic_trajectory", "separable_classes"]
