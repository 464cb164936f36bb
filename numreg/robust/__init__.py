"""Tang & Eliasmith (2010): corruptions of test images, robustness tables, sparse local connectivity."""
from .tables import RobustnessTable, compare, robustness

__all__ = ["RobustnessTable", "compare", "robustness"]
