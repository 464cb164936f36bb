"""The figures. Every function returns a ``matplotlib.figure.Figure`` and never calls ``show()``."""
from .style import PALETTE, new_figure
from .training import loss_curves
# §7.1-7.2 norm penalties and constraints (figure 7.1, paths, weight histograms)
from .norms import figure_7_1, regularization_path, weight_histograms
# §7.4-7.5 augmentation grid, reliability diagram, robustness chart
from .augmentation import augmentation_grid
from .calibration import reliability_diagram
from .robustness import robustness_curves
# §7.8 early stopping (figure 7.4)
from .early_stopping import early_stopping_vs_l2
# §7.6-7.13 ensembles, semi-supervised, adversarial
from .ensembles import cluster_centers, bagging_curve, adversarial_curves
# studies: a metric against a hyper-parameter over seeds, paired differences (numreg.study)
from .study import study_curve, paired_intervals
# §7.3 under-constrained problems
from .under_constrained import norm_growth
# the effect of a regularizer over seeds: train/test curves, strength sweeps, paired differences
from .effects import mean_se, paired_effect, train_test_curves, strength_sweep
