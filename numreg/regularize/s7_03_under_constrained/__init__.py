"""§7.3 Regularization and under-constrained problems: the pseudo-inverse as the limit of weight decay, and separable logistic regression."""
