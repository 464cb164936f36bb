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
    ``ArgumentTypeError`` (a ``TypeError`` and a ``ValueError``), ``NonFiniteError``
    (a ``ValueError`` and a ``FloatingPointError``: a model's output or loss that is
    not finite; ``fit`` takes it as divergence), ``show``, ``type_error``, ``value_error``.
scalars
    Single values: ``real``, ``nonnegative``, ``positive``, ``probability``,
    ``integer``, ``count``, ``flag``, ``choice``, ``pair``, ``interval``, ``seed``,
    ``generator``, ``optional``.
arrays
    Arrays: ``numbers_array`` (real numbers of one shape), ``finite``,
    ``float_array`` (finite floats of a rank), ``labels``, ``float_dtype``,
    ``image_shape``, ``index``, ``allocation`` (sizes that would not fit in
    memory are refused before allocating).
objects
    Objects: ``as_list``, ``sequence``, ``has_methods``, ``instance``, ``function``,
    ``path``, ``accepts_argument``, ``call_with_optional``.
linalg
    The closed forms' inputs: ``hessian``, ``float_vector``, ``step_counts``,
    ``regression_data``.

What a model's data must be (finite, the model's width) and what its
targets must be (labels in range) is checked one level up, where the model
is known: :func:`numreg.training.state.model_input` and
:func:`numreg.training.state.targets`.

This package imports nothing else of numreg (it is part of ``core``).
"""
from .errors import ArgumentTypeError, NonFiniteError, show, type_error, value_error
from .scalars import (real, nonnegative, positive, probability, integer, count, flag, choice, interval,
                      pair, seed, generator, optional)
from .arrays import (FLOAT_DTYPES, float_dtype, numbers_array, finite, float_array, labels, image_shape,
                     allocation, memory_limit, index)
from .objects import accepts_argument, call_with_optional, as_list, has_methods, instance, path, function, sequence
from .linalg import hessian, float_vector, step_counts, regression_data
