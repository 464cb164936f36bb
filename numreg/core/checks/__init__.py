"""The validation layer: the checks every public callable of numreg makes of its arguments up front.

One place decides what a valid argument is, so that every function refuses
a bad one the same way: before any work, with a ``ValueError`` (a value not
allowed: NaN, negative, out of range, wrong shape) or an
:class:`ArgumentTypeError` (a ``TypeError``, and also a ``ValueError``: a
value of the wrong kind), whose message names the argument and shows the
value -- ``alpha must be a finite number >= 0, got alpha=nan``.

Modules
-------
errors
    The error classes and how a value is shown.
scalars
    Single values: ``real``, ``nonnegative``, ``positive``, ``probability``,
    ``integer``, ``count``, ``flag``, ``choice``, ``interval``, ``optional``.
arrays
    Arrays: ``float_array`` (real numbers, finite, of a rank), ``labels``,
    ``float_dtype``, ``image_shape``, ``allocation`` (sizes that would not fit in
    memory are refused before allocating).
objects
    Objects: ``as_list``, ``has_methods``, ``instance``, ``accepts_argument``.
linalg
    The closed forms' inputs: ``hessian``, ``float_vector``, ``step_counts``,
    ``regression_data``.

This package imports nothing else of numreg (it is part of ``core``).
"""
from .errors import ArgumentTypeError, NonFiniteError, show, type_error, value_error
from .scalars import (real, nonnegative, positive, probability, integer, count, flag, choice, interval,
                      pair, seed, generator, optional)
from .arrays import (FLOAT_DTYPES, float_dtype, numbers_array, finite, float_array, labels, image_shape,
                     allocation, memory_limit, index)
from .objects import accepts_argument, call_with_optional, as_list, has_methods, instance, path, function, sequence
from .linalg import hessian, float_vector, step_counts, regression_data
