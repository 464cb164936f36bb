"""Tang & Eliasmith (2010): corruptions of test images, robustness tables, sparse local connectivity."""
