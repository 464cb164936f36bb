"""The fuzzer of numreg's public API: every public callable, driven with bad arguments one at a time.

Used by ``tests/test_fuzz.py`` (bounded, in CI) and ``benchmarks/fuzz_table.py``
(the whole table). The callables are found, not listed: every class and
function of ``import numreg as nr`` and of its public modules whose home is
numreg, and, on an instance built from valid arguments, its public methods
(``forward``, ``__call__``, ``fit``, ...). For each, a valid call is made
from a small world of consistent values (:func:`world`; parameters are
recognised by name, :data:`VALID`, or by a per-callable :data:`RECIPES`
entry), then each argument in turn is replaced by bad values chosen from
the valid one's kind (:func:`bad_values`): wrong types, NaN and infinity,
negative, zero and huge counts, wrong ranks, object/string/complex arrays,
out-of-range probabilities.

Each case ends in one of:

clear
    ``ValueError`` or ``TypeError`` whose message names the argument.
obscure
    any other exception, or a ``ValueError``/``TypeError`` whose message does not name it.
silent
    the call returned (a bad value accepted, or NaN in the output).
hung
    no answer within the time limit.

A callable with a parameter the world cannot fill is reported as ``no
recipe`` (add one to :data:`VALID` or :data:`RECIPES`), one whose valid
call fails as ``bad recipe``; a new public callable therefore shows up in
the table the day it is merged.
"""
import atexit
import contextlib
import inspect
import io
import math
import numbers
import os
import re
import shutil
import signal
import tempfile
import types
import warnings
from dataclasses import dataclass, field

import numpy as np

import numreg as nr

MODULES = ("augment", "corrupt", "data", "metrics", "analysis", "image", "gradcheck", "training", "robust", "plots",
           "files")
SCRATCH = tempfile.mkdtemp(prefix="numreg-fuzz-")     # where the fuzzed writers write
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
METHODS = ("forward", "__call__", "fit", "predict", "transform", "value", "add_grad", "project",
           "prox", "perturb", "step", "fires", "first_stop", "score", "predict_proba", "load_state_dict", "astype",
           "reseed", "train", "restore", "save")
#: Callables left out, and why.
SKIP = {
    "nr.gradcheck.accepts_argument": "a predicate on any callable: every argument is valid",
    "nr.gradcheck.replay": "a context manager over a module's generators",
    "nr.Module": "an abstract base class", "nr.Callback": "a base class with no arguments",
    "nr.TrainState": "a record built by fit (**kw)", "nr.AllDataRecord": "a record built by Algorithms 7.2/7.3",
    "nr.robust.RobustnessTable": "a record built by robustness()",
    "nr.History": "a record built by fit",
    "nr.ActivityL1.value": "needs the layer's forward pass first (it penalizes the activations it saw)",
    "nr.RBM.__call__": "an RBM is a Module but not a feed-forward layer (no forward)",
}
NONE_MEANS_DEFAULT = {"seed", "rng"}   # None: a fresh generator
PATH_NAMES = {"path", "root", "base_url"}
SIZE_NAMES = {"n_classes", "k", "in_features", "out_features", "in_channels", "out_channels", "samples",
              "n_bins", "k_neighbors", "n_init", "hidden", "n_train", "n_test", "n", "d", "field",
              "train_eval_size", "kernel_size"}
NONNEG_NAMES = {"alpha", "lr", "std", "eta", "epsilon", "l1", "l2", "c", "sigma", "lam", "eps", "weight_decay",
                "momentum", "tol", "reg_covar", "p", "fraction", "threshold", "label_smoothing", "valid_fraction",
                "corruption", "noise", "min_delta", "unlabeled_weight", "input_noise", "dropout", "truncate",
                "timeout", "h", "floor", "s", "strip"}
PROBABILITY_NAMES = {"p", "fraction", "threshold", "label_smoothing", "valid_fraction", "corruption", "dropout",
                     "momentum"}


@dataclass
class World:
    """Consistent valid values: 12 examples of 16 features (4x4 images), 3 classes, a small MLP."""
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    def __post_init__(self):
        r = self.rng
        self.X = r.random((12, 16)).astype(np.float32)
        self.y = np.arange(12) % 3
        self.images = self.X.reshape(12, 4, 4)
        self.X4 = r.random((2, 1, 4, 4)).astype(np.float32)
        self.probs = nr.softmax(r.normal(size=(12, 3)))
        self.H = np.array([[2.0, 0.5], [0.5, 1.0]])
        self.w_star = np.array([1.0, -0.5])

    def model(self, dropout=False):
        layers = [nr.Linear(16, 8), nr.ReLU()] + ([nr.Dropout(0.5)] if dropout else []) + [nr.Linear(8, 3)]
        return nr.Sequential(*layers, seed=0)


W = World()


def _make_model(seed=None):
    return nr.Sequential(nr.Linear(16, 8), nr.ReLU(), nr.Linear(8, 3), seed=seed)


#: Valid values by parameter name (callables taking the world), for every callable that does not override them.
VALID = {
    "alpha": lambda w: 0.1, "lr": lambda w: 0.01, "eps": lambda w: 1e-8, "weight_decay": lambda w: 0.0,
    "betas": lambda w: (0.9, 0.999), "momentum": lambda w: 0.5, "nesterov": lambda w: False,
    "etas": lambda w: (0.5, 1.2), "step_sizes": lambda w: (1e-6, 50.0),
    "params": lambda w: w.model().parameters(), "layers": lambda w: None,
    "include_biases": lambda w: False, "method": lambda w: "prox",
    "l1": lambda w: 0.1, "l2": lambda w: 0.1, "c": lambda w: 1.0,
    "kernel_size": lambda w: 2, "stride": lambda w: None, "padding": lambda w: 0,
    "in_channels": lambda w: 1, "out_channels": lambda w: 2, "bias": lambda w: True,
    "in_features": lambda w: 16, "out_features": lambda w: 3, "init": lambda w: "pytorch",
    "dtype": lambda w: np.float32, "seed": lambda w: 0,
    "make_model": lambda w: _make_model, "model_factory": lambda w: _make_model,
    "make_optimizer": lambda w: None, "optimizer_factory": lambda w: None,
    "criterion": lambda w: nr.SoftmaxCrossEntropy(), "k": lambda w: 3,
    "corruption": lambda w: 0.3, "lam": lambda w: 1.0, "p": lambda w: 0.5,
    "epsilon": lambda w: 0.1, "clip": lambda w: None, "same_noise": lambda w: False,
    "std": lambda w: 0.1, "max_iter": lambda w: 20, "tol": lambda w: 1e-4, "n_init": lambda w: 1,
    "strip": lambda w: 5, "s": lambda w: 2, "eta": lambda w: 0.1, "biases": lambda w: False,
    "threshold": lambda w: 0.9, "rounds": lambda w: 1, "epochs": lambda w: 1, "batch_size": lambda w: 4,
    "steps": lambda w: None, "covariance": lambda w: "full", "reg_covar": lambda w: 1e-3,
    "unlabeled_weight": lambda w: 1.0, "n_classes": lambda w: 3,
    "label_smoothing": lambda w: 0.1, "smoothing": lambda w: "book",
    "X": lambda w: w.X, "y": lambda w: w.y, "X_labeled": lambda w: w.X[:6], "y_labeled": lambda w: w.y[:6],
    "X_unlabeled": lambda w: w.X[6:], "fill": lambda w: "nearest", "valid_fraction": lambda w: 0.25,
    "n": lambda w: None, "max_epochs": lambda w: 2, "max_steps": lambda w: None,
    "model": lambda w: w.model(), "k_neighbors": lambda w: 3,
    "image_shape": lambda w: (4, 4), "field": lambda w: 3, "z": lambda w: w.probs,
    "samples": lambda w: 3, "mean": lambda w: "arithmetic",
    "hidden": lambda w: (8,), "dropout": lambda w: 0.5, "activation": lambda w: "relu",
    "input_noise": lambda w: 0.0, "match": lambda w: "steps", "corruptions": lambda w: None,
    "order": lambda w: 1, "degrees": lambda w: 15.0, "scale": lambda w: (0.9, 1.1),
    "translate": lambda w: (0.1, 0.1), "shear": lambda w: 0.0, "images": lambda w: w.images,
    "angle": lambda w: 10.0, "shift": lambda w: (0.5, 0.5), "width": lambda w: 1,
    "value_range": lambda w: (0.0, 1.0), "value": lambda w: None, "fraction": lambda w: 0.1,
    "shuffle": lambda w: True, "rng": lambda w: None, "n_train": lambda w: 20, "n_test": lambda w: 10,
    "root": lambda w: None, "download": lambda w: False, "base_url": lambda w: "http://127.0.0.1:9/",
    "checksums": lambda w: None, "timeout": lambda w: 0.5, "cache": lambda w: False,
    "stratified": lambda w: True, "scores": lambda w: w.probs, "probs": lambda w: w.probs,
    "target": lambda w: w.y, "n_bins": lambda w: 5, "H": lambda w: w.H, "w_star": lambda w: w.w_star,
    "H_diag": lambda w: np.diag(w.H).copy(), "return_factors": lambda w: False, "d": lambda w: 4,
    "rho": lambda w: 0.5, "noise": lambda w: 0.5, "w_true": lambda w: None, "x": lambda w: w.X,
    "h": lambda w: 1e-5, "directions": lambda w: None, "penalties": lambda w: (),
    "floor": lambda w: 1e-12, "digits": lambda w: 4, "verbose": lambda w: False,
    "patience": lambda w: 3, "min_delta": lambda w: 0.0, "mode": lambda w: "min",
    "monitor": lambda w: "valid_loss", "restore_best": lambda w: True, "path": lambda w: None,
    "baseline": lambda w: None, "start_from_epoch": lambda w: 0, "every": lambda w: 1, "unit": lambda w: "epoch",
    "train_error": lambda w: "evaluate", "train_eval_size": lambda w: 100,
    "output": lambda w: w.probs.astype(np.float32), "train_losses": lambda w: [1.0, 0.8, 0.9],
    "valid_losses": lambda w: [1.0, 0.8, 0.9], "labeled_batch_size": lambda w: 2,
    # the figures of nr.plots
    "ax": lambda w: None, "title": lambda w: None, "epsilons": lambda w: [0.0, 0.1, 0.2],
    "errors": lambda w: {"plain": [0.1, 0.3, 0.5]}, "image": lambda w: w.images[0], "augmentations": lambda w: None,
    "cmap": lambda w: "gray_r", "ks": lambda w: [1, 2, 4], "ensemble_sq_error": lambda w: [1.0, 0.8, 0.7],
    "v": lambda w: 1.0, "c": lambda w: 0.5, "member_sq_error": lambda w: None, "centers": lambda w: w.X[:3],
    "shape": lambda w: (4, 4), "labels": lambda w: None, "ncols": lambda w: None,
    "history": lambda w: _history(w), "results": lambda w: nr.robustness(
        w.model(), w.X, w.y, corruptions={"gaussian": [0.1]}, image_shape=(4, 4)),
    "weights": lambda w: {"a": w.model()}, "bins": lambda w: 11, "range": lambda w: None, "log": lambda w: True,
    "alphas": lambda w: None, "n_alphas": lambda w: 5, "kinds": lambda w: ("L2", "L1"), "n_levels": lambda w: 3,
}


def _study_records():
    """Hand-made run envelopes of a tiny study: lr x dropout, 3 seeds (what numreg.study's runner records)."""
    return [{"config": {"lr": lr, "dropout": dropout}, "seed": s, "record": {"acc": 0.8 + dropout / 10 + lr + s / 100}}
            for dropout in (0.0, 0.5) for lr in (0.1, 0.01) for s in range(3)]


def _trajectory(alpha):
    """A short logistic-regression trajectory on separable classes (what norm_growth plots)."""
    X, y = nr.analysis.separable_classes(n=10, seed=0)
    return nr.analysis.logistic_trajectory(X, y, alpha=alpha, steps=5)


def _forwarded(w):
    """The world's model after a forward pass of its data (what tangent_prop_penalty reads)."""
    model = w.model()
    model.forward(w.X)
    return model


def _history(w):
    h = nr.History()
    h.train_loss, h.valid_loss, h.best_epoch = [1.0, 0.8], [1.1, 0.9], 2
    return h

#: Per-callable overrides: {"args": {name: valid(world)}, "methods": {method: {name: valid(world)}}}.
RECIPES = {
    "nr.Adam": {"args": {"lr": lambda w: 1e-3}}, "nr.SGD": {"args": {"lr": lambda w: 0.1}},
    "nr.Optimizer": {"args": {"lr": lambda w: 0.1}},
    "nr.AvgPool2d": {"methods": {"__call__": {"x": lambda w: w.X4}}},
    "nr.MaxPool2d": {"methods": {"__call__": {"x": lambda w: w.X4}}},
    "nr.Conv2d": {"args": {"stride": lambda w: 1}, "methods": {"__call__": {"x": lambda w: w.X4}}},
    "nr.Bagging": {"args": {"k": lambda w: 2}, "methods": {"fit": {"epochs": lambda w: 1}},
                   "prepare": lambda obj, w: obj.fit(w.X, w.y, epochs=1, verbose=False)},
    "nr.KMeans": {"args": {"k": lambda w: 3}, "prepare": lambda obj, w: obj.fit(w.X)},
    "nr.SemiSupervisedGMM": {"prepare": lambda obj, w: obj.fit(w.X[:6], w.y[:6], w.X[6:])},
    "nr.MSELoss": {"methods": {"forward": {"target": lambda w: w.probs.astype(np.float32)},
                               "__call__": {"target": lambda w: w.probs.astype(np.float32)}}},
    "nr.augment.ElasticDistortion": {"args": {"sigma": lambda w: 4.0, "alpha": lambda w: 34.0},
                                     "methods": {"__call__": {"data": lambda w: w.X}}},
    "nr.augment.affine": {"args": {"scale": lambda w: 1.1}},
    "nr.image.affine": {"args": {"scale": lambda w: 1.1}},
    "nr.data.load_mnist": {"args": {"root": lambda w: "/nonexistent"}, "expect_error": True},
    "nr.analysis.make_correlated_regression": {"args": {"n": lambda w: 20}},
    "nr.DenoisingAutoencoderClassifier": {"args": {
        "encoder": lambda w: nr.Sequential(nr.Linear(16, 8), nr.ReLU(), seed=0),
        "decoder": lambda w: nr.Sequential(nr.Linear(8, 16), seed=0),
        "head": lambda w: nr.Sequential(nr.Linear(8, 3), seed=0)},
        "methods": {"fit": {"epochs": lambda w: 1}}},
    "nr.Dropout": {"methods": {"forward": {"x": lambda w: w.X}}},
    "nr.EarlyStopping": {"args": {"criterion": lambda w: None}, "methods": {"__call__": {"value": lambda w: 0.5, "model": lambda w: w.model(),
                                                  "epoch": lambda w: None, "step": lambda w: None,
                                                  "train_loss": lambda w: None}}},
    "nr.GL": {"args": {"alpha": lambda w: 5.0}}, "nr.PQ": {"args": {"alpha": lambda w: 0.5}},
    "nr.Patience": {"args": {"p": lambda w: 3}},
    "nr.MultiTask": {"args": {"trunk": lambda w: nr.Sequential(nr.Linear(16, 8), nr.ReLU(), seed=0),
                              "heads": lambda w: [nr.Linear(8, 3), nr.Linear(8, 2)], "weights": lambda w: None,
                              "criteria": lambda w: None},
                     "methods": {"fit": {"optimizer": lambda w, obj: nr.SGD(obj.parameters(), lr=0.1),
                                         "targets": lambda w: [w.y, w.y % 2], "epochs": lambda w: 1}}},
    "nr.MultiTaskLoss": {"args": {"criteria": lambda w: [nr.SoftmaxCrossEntropy(), nr.MSELoss()],
                                  "weights": lambda w: [1.0, 0.5]},
                         "methods": {m: {"outputs": lambda w: [w.probs, w.probs[:, :2]],
                                         "targets": lambda w: [w.y, w.probs[:, :2]]} for m in ("forward", "__call__")}},
    "nr.NormBall": {"args": {"k": lambda w: 1.0}},
    "nr.Parameter": {"args": {"data": lambda w: w.X.copy(), "name": lambda w: "W", "regularized": lambda w: True}},
    "nr.Sequential": {"args": {"layers": lambda w: (nr.Linear(16, 3),)}},
    "nr.SparseLinear": {"args": {"mask": lambda w: np.ones((16, 3), bool)}},
    "nr.TiedL2": {"args": {"params_a": lambda w: [w.model().parameters()[0]],
                           "params_b": lambda w: [w.model().parameters()[0]]}},
    "nr.local_mask": {"args": {"out_features": lambda w: 3}},
    "nr.SelfTraining": {"methods": {"fit": {"y_unlabeled": lambda w: None}},
                        "prepare": lambda obj, w: obj.fit(w.X[:6], w.y[:6], w.X[6:])},
    "nr.WeightNoise": {"methods": {"perturb": {"params": lambda w: w.model().parameters()}},
                       "prepare": {"restore": lambda obj, w: obj.perturb(w.model().parameters())}},
    "nr.early_stopping_meta_algorithm": {"args": {
        "train": lambda w: (lambda model, steps: None), "validation_set_error": lambda w: (lambda model: 0.5),
        "n": lambda w: 1, "p": lambda w: 2, "max_steps": lambda w: 10}},
    "nr.retrain_on_all_data": {"args": {"p": lambda w: 1, "n": lambda w: None}},
    "nr.continue_on_all_data": {"args": {"p": lambda w: 1, "n": lambda w: None}},
    "nr.fit": {"args": {"optimizer": lambda w: None, "train": lambda w: None}},  # built in _call_fit
    "nr.mc_dropout_predict": {"args": {"model": lambda w: w.model(dropout=True)}},
    "nr.mlp": {"args": {"in_features": lambda w: 16, "out_features": lambda w: 3}},
    "nr.robustness": {"args": {"corruptions": lambda w: {"gaussian": [0.1]}}},
    "nr.cluster_then_label": {"args": {"k": lambda w: 3}},
    "nr.augment.Compose": {"args": {"transforms": lambda w: (nr.augment.RandomAffine(seed=0),)},
                           "methods": {"__call__": {"data": lambda w: w.X}}},
    "nr.augment.RandomAffine": {"methods": {"__call__": {"data": lambda w: w.X}}},
    "nr.image.warp": {"args": {"src": lambda w: w.images, "A": lambda w: np.eye(2)[None].repeat(12, 0),
                                 "offset": lambda w: np.zeros((12, 2)), "out_shape": lambda w: (4, 4),
                                 "src_index": lambda w: None, "displacement": lambda w: None}},
    "nr.image.inverse_matrix": {"args": {"angle": lambda w: 10.0, "scale": lambda w: 1.0,
                                         "shear": lambda w: 0.0, "n": lambda w: 12}},
    "nr.corrupt.occlude": {"args": {"size": lambda w: 2}},
    "nr.data.batches": {"args": {"rng": lambda w: None}},
    "nr.data.subsample": {"args": {"n": lambda w: 6}},
    "nr.data.load_idx": {"args": {"path": lambda w: "/nonexistent/file.idx"}, "expect_error": True},
    "nr.data.load_dataset": {"args": {"name": lambda w: "font-digits"}},
    "nr.metrics.check_labels": {"args": {"n": lambda w: 12, "k": lambda w: 3, "name": lambda w: "target"}},
    "nr.metrics.negative_log_likelihood": {"args": {"eps": lambda w: 1e-12}},
    "nr.analysis.constrained_alpha": {"args": {"k": lambda w: 0.5, "tol": lambda w: 1e-15}},
    "nr.analysis.early_stopping_alpha": {"args": {"tau": lambda w: 10, "H": lambda w: None}},
    "nr.analysis.early_stopping_trajectory": {"args": {"tau": lambda w: 10, "w0": lambda w: None}},
    "nr.analysis.lasso": {"args": {"X": lambda w: w.X.astype(np.float64), "y": lambda w: w.X[:, 0].astype(float),
                                   "tol": lambda w: 1e-10}},
    "nr.analysis.ridge": {"args": {"X": lambda w: w.X.astype(np.float64), "y": lambda w: w.X[:, 0].astype(float)}},
    "nr.analysis.weight_noise_penalty": {"args": {"params": lambda w: None}},
    "nr.gradcheck.check_layer": {"args": {"layer": lambda w: nr.Linear(16, 3).astype(np.float64),
                                          "x": lambda w: w.X.astype(np.float64)}},
    "nr.gradcheck.check_model": {"args": {"model": lambda w: w.model().astype(np.float64),
                                          "x": lambda w: w.X.astype(np.float64), "directions": lambda w: 2}},
    "nr.gradcheck.numerical_gradient": {"args": {"f": lambda w: (lambda x: float(np.sum(x ** 2))),
                                                 "x": lambda w: np.ones(3)}},
    "nr.gradcheck.rel_error": {"args": {"a": lambda w: np.ones(3), "b": lambda w: np.ones(3)}},
    "nr.plots.new_figure": {"args": {"nrows": lambda w: 1, "ncols": lambda w: 1, "width": lambda w: 3.0,
                                     "height": lambda w: 2.0}},
    "nr.plots.cluster_centers": {"args": {"ncols": lambda w: 3}},
    "nr.plots.early_stopping_vs_l2": {"args": {"H": lambda w: None, "w_star": lambda w: None, "tau": lambda w: 10}},
    "nr.plots.figure_7_1": {"args": {"H": lambda w: ((0.5, 0.0), (0.0, 4.0)), "w_star": lambda w: (2.0, 1.5),
                                     "alpha": lambda w: 1.0}},
    "nr.plots.regularization_path": {"args": {"X": lambda w: None, "y": lambda w: None, "w_true": lambda w: None}},
    "nr.plots.augmentation_grid": {"args": {"n": lambda w: 2, "seed": lambda w: 0}},
    # modules of the other open issues (fuzzed once merged; recipes checked against the main branch)
    "nr.RBM": {"args": {"n_visible": lambda w: 16, "n_hidden": lambda w: 4, "mask": lambda w: None},
               "methods": {"fit": {"epochs": lambda w: 1, "k": lambda w: 1, "lr": lambda w: 0.1},
                           "transform": {"V": lambda w: w.X}}},
    "nr.ContractiveAutoencoder": {"args": {"n_visible": lambda w: 16, "n_hidden": lambda w: 4},
                                  "methods": {"fit": {"epochs": lambda w: 1}}},
    "nr.DBN": {"args": {"sizes": lambda w: [16, 8, 4], "mask": lambda w: None}},
    "nr.TangentNearestNeighbour": {"methods": {"fit": {"image_shape": lambda w: (4, 4)}},
                                   "prepare": lambda obj, w: obj.fit(w.X, w.y, image_shape=(4, 4))},
    "nr.TangentProp": {"args": {"alpha": lambda w: 0.1, "image_shape": lambda w: (4, 4)}},
    "nr.TangentTable": {"methods": {"__call__": {"data": lambda w: w.images}}, "args": {"X": lambda w: w.images,
                                 "V": lambda w: nr.tangent_vectors(w.images).reshape(12, -1, 16)}},
    "nr.omp": {"args": {"W": lambda w: np.eye(16)[:, :8] + 0.1, "k": lambda w: 2}},
    "nr.tangent_distance": {"args": {"x": lambda w: w.images[0], "y": lambda w: w.images[1],
                                     "image_shape": lambda w: None}},
    "nr.pairwise_tangent_distance": {"args": {"X": lambda w: w.images[:3], "Y": lambda w: w.images[3:5]}},
    "nr.tangent_vectors": {"args": {"images": lambda w: w.images}},
    "nr.tangent_prop_penalty": {"args": {"model": lambda w: _forwarded(w),
                                         "V": lambda w: nr.tangent_vectors(w.images).reshape(12, -1, 16)}},
    "nr.analysis.logistic_trajectory": {"args": {"y": lambda w: np.where(w.y % 2, 1.0, -1.0), "epsilon": lambda w: None,
                                                 "steps": lambda w: 10, "alpha": lambda w: 0.0}},
    "nr.analysis.min_norm_gradient_descent": {"args": {"X": lambda w: w.X[:4].astype(float),
                                                       "y": lambda w: np.ones(4), "epsilon": lambda w: None,
                                                       "steps": lambda w: 10}},
    "nr.analysis.pseudo_inverse_limit": {"args": {"alphas": lambda w: [0.1, 0.01]}},
    "nr.analysis.separable_classes": {"args": {"n": lambda w: 10}},
    "nr.plots.norm_growth": {"args": {"free": lambda w: _trajectory(0.0), "decayed": lambda w: _trajectory(0.1),
                                      "alpha": lambda w: 0.1}},
    "nr.plots.study_curve": {"args": {"rows": lambda w: nr.study.aggregate(_study_records()),
                                      "parameter": lambda w: "lr", "metric": lambda w: "acc",
                                      "group": lambda w: "dropout"}},
    "nr.plots.paired_intervals": {"args": {"diffs": lambda w: nr.study.paired_differences(
        _study_records(), "acc", "dropout", 0.0, n_boot=200)}},
    "nr.plots.mean_se": {"args": {"values": lambda w: np.array([[0.1, 0.2], [0.3, 0.1], [0.2, 0.2]]),
                                  "axis": lambda w: 0}},
    "nr.plots.paired_effect": {"args": {"baseline": lambda w: np.array([0.3, 0.32, 0.31]),
                                        "treated": lambda w: np.array([0.2, 0.25, 0.22]), "name": lambda w: "L2",
                                        "metric": lambda w: "test error", "digits": lambda w: 3}},
    "nr.plots.train_test_curves": {"args": {"runs": lambda w: {"plain": (np.full((2, 4), 0.1), np.full((2, 4), 0.3))},
                                            "x": lambda w: None, "xlabel": lambda w: "epoch",
                                            "ylabel": lambda w: "error", "logy": lambda w: False}},
    "nr.plots.strength_sweep": {"args": {"strengths": lambda w: np.array([0.01, 0.1, 1.0]),
                                         "test": lambda w: np.full((2, 3), 0.2), "train": lambda w: None,
                                         "baseline": lambda w: None, "best": lambda w: None,
                                         "xlabel": lambda w: "alpha", "ylabel": lambda w: "error",
                                         "label": lambda w: "L2", "color": lambda w: None, "logy": lambda w: False}},
    "nr.robust.compare": {"args": {"tables": lambda w: {"a": nr.robustness(
        w.model(), w.X, w.y, corruptions={"gaussian": [0.1]}, image_shape=(4, 4))}}},
    "nr.files.atomic_write": {"args": {"path": lambda w: os.path.join(SCRATCH, "a.bin"),
                                       "write": lambda w: (lambda f: f.write(b"x")), "mode": lambda w: "wb"}},
    "nr.files.save_json": {"args": {"path": lambda w: os.path.join(SCRATCH, "a.json"), "obj": lambda w: {"a": 1}}},
    "nr.files.save_npz": {"args": {"path": lambda w: os.path.join(SCRATCH, "a.npz"),
                                   "arrays": lambda w: {"a": np.zeros(2)}}},
    "nr.files.prepare_output": {"args": {"path": lambda w: os.path.join(SCRATCH, "b.npz"), "name": lambda w: "path"}},
    "nr.files.temporary_files": {"args": {"path": lambda w: os.path.join(SCRATCH, "a.npz")}},
    "nr.data.save_idx": {"args": {"path": lambda w: os.path.join(SCRATCH, "a.idx"),
                                  "array": lambda w: np.zeros((2, 3), np.uint8)}},
    "nr.files.load_npz": {"args": {"path": lambda w: "/nonexistent/file.npz"}, "expect_error": True},
}
#: Bad values that are in fact valid for one argument of one callable: {(callable, argument): {kind, ...}}.
ALLOWED = {
    # angles and shears are signed
    ("nr.augment.affine", "angle"): {"negative"}, ("nr.image.affine", "angle"): {"negative"},
    ("nr.augment.affine", "shear"): {"negative"}, ("nr.image.affine", "shear"): {"negative"},
    ("nr.image.inverse_matrix", "angle"): {"negative"}, ("nr.image.inverse_matrix", "shear"): {"negative"},
    # elementwise layers and Flatten take any shape
    **{(f"nr.{m}", "x"): {"extra axis", "fewer axes"}
       for m in ("ReLU", "Tanh", "Sigmoid", "Dropout", "GaussianDropout", "GaussianNoise", "ActivityL1", "Flatten")},
    ("nr.Parameter", "data"): {"extra axis", "fewer axes", "empty"},   # a parameter of any shape
    ("nr.Parameter", "name"): {"unknown option"},                        # any name
    # a monitored value that became NaN/inf is what EarlyStopping acts on: it stops (documented)
    ("nr.EarlyStopping", "value"): {"nan", "inf"},
    # a History entry name: the History is not known before fit (fit checks it)
    ("nr.EarlyStopping", "monitor"): {"unknown option"},
    # counts of work done one after another: a huge one is slow, not invalid
    ("nr.EarlyStopping", "train_eval_size"): {"huge"}, ("nr.Bagging", "k"): {"huge"},
    ("nr.KMeans", "n_init"): {"huge"},
    # sizes that depend on the data, checked against it when it comes (fit, forward)
    ("nr.KMeans", "k"): {"huge"}, ("nr.AvgPool2d", "kernel_size"): {"huge"},
    ("nr.MaxPool2d", "kernel_size"): {"huge"}, ("nr.cluster_then_label", "n_init"): {"huge"},
    ("nr.mc_dropout_predict", "samples"): {"huge"}, ("nr.early_stopping_meta_algorithm", "n"): {"huge"},
    ("nr.RBM.fit", "k"): {"huge"},                       # Gibbs steps, one after another: slow, not invalid
    ("nr.analysis.pseudo_inverse_limit", "alphas"): {"int"},   # one number: a list of one coefficient
    ("nr.cluster_then_label", "fill"): {"None"},        # fill=None: leave unlabeled clusters at -1
    ("nr.augment.RandomAffine", "scale"): {"None"}, ("nr.augment.RandomAffine", "translate"): {"None"},  # none
    ("nr.MultiTaskLoss", "weights"): {"None"},
    ("nr.mlp", "hidden"): {"int"},
    ("nr.plots.augmentation_grid", "image"): {"extra axis"},   # (1, H, W) is one image
    ("nr.files.save_json", "obj"): {"None", "string", "int"},  # any JSON value
    ("nr.files.prepare_output", "name"): {"unknown option"},   # any name, for the messages
    # the effect figures' texts are free: any string is a valid name, metric or label
    **{("nr.plots.paired_effect", a): {"unknown option"} for a in ("name", "metric")},
    **{(f"nr.plots.{f}", a): {"unknown option"} for f in ("strength_sweep", "train_test_curves")
       for a in ("xlabel", "ylabel", "label") if (f, a) != ("train_test_curves", "label")},
    # seeds along any axis: mean_se reduces one axis of an array of any rank
    ("nr.plots.mean_se", "values"): {"extra axis", "fewer axes"},
    ("nr.data.save_idx", "array"): {"extra axis", "fewer axes", "empty", "nan array"},   # IDX stores any array
    # value(params) of the penalty protocol: TiedL2 ignores it (documented; gradcheck passes an array)
    ("nr.TiedL2.value", "params"): {"string", "int", "object"},                        # hidden=3: one hidden layer of 3 units          # weights=None: every task weighs 1
    ("nr.SemiSupervisedGMM", "n_classes"): {"huge"},    # checked against the data by fit
    ("nr.KMeans.fit", "X"): {"extra axis"},              # points are flattened: (1, 12, 16) is one point
    # a batch transform maps an empty batch to an empty batch (tested); a 3-D batch is images
    **{(f"nr.augment.{c}.__call__", "data"): {"empty", "extra axis"}
       for c in ("Compose", "RandomAffine", "ElasticDistortion")},
    ("nr.augment.affine", "images"): {"empty"}, ("nr.image.affine", "images"): {"empty"},
    # one example may be a single number: X of shape (n,)
    **{(f"nr.data.{f}", "X"): {"fewer axes"} for f in ("batches", "subsample", "train_valid_split")},
    ("nr.gradcheck.numerical_gradient", "x"): {"extra axis", "empty"},   # any shape
    # None means "none" for fit's lists of extensions, as ()
    ("nr.fit", "penalties"): {"None"}, ("nr.fit", "constraints"): {"None"}, ("nr.fit", "callbacks"): {"None"},
}


def world():
    """A fresh world (the callables may change the arrays they are given)."""
    return World()


# -- discovery ----------------------------------------------------------------------------------------------

def discover():
    """``[(name, callable)]``: the public classes and functions of ``nr`` and its public modules, once each."""
    found, seen = [], set()
    spaces = [("nr", nr)] + [(f"nr.{m}", getattr(nr, m)) for m in MODULES if hasattr(nr, m)]
    for prefix, space in spaces:
        for key in sorted(dir(space)):
            obj = getattr(space, key)
            if key.startswith("_") or isinstance(obj, types.ModuleType) or not callable(obj):
                continue
            home = getattr(obj, "__module__", "") or ""
            if not home.startswith("numreg") or id(obj) in seen:
                continue
            if prefix != "nr" and not home.startswith(space.__name__) and key not in getattr(space, "__all__", ()):
                continue   # a helper the module imported, not one it offers
            seen.add(id(obj))
            found.append((f"{prefix}.{key}", obj))
    return found


@dataclass
class Target:
    """One callable to fuzz: its name, how to get it, and valid values for its parameters."""
    name: str
    get: object                  # world -> the callable (a function, a class, or a bound method)
    params: list                 # [(name, kind)] with kind an inspect.Parameter kind
    valid: dict                  # parameter name -> valid(world)
    missing: list                # parameters without a valid value
    defaults: dict
    expect_error: bool = False   # the valid call itself raises (a missing file): only types are fuzzed


def _signature(f):
    try:
        return inspect.signature(f)
    except (TypeError, ValueError):
        return None


def _target(name, get, f, overrides, expect_error=False, prefer_defaults=False):
    sig = _signature(f)
    if sig is None:
        return None
    params, valid, missing, defaults = [], {}, [], {}
    for p in sig.parameters.values():
        if p.name == "self" or p.kind == p.VAR_KEYWORD:
            continue
        params.append((p.name, p.kind))
        if p.default is not p.empty:
            defaults[p.name] = p.default
        if p.name in overrides:
            valid[p.name] = overrides[p.name]
        elif prefer_defaults and p.default is not p.empty:   # a method's own default: train(mode=True)
            valid[p.name] = (lambda d: lambda w: d)(p.default)
        elif p.name in VALID:
            valid[p.name] = VALID[p.name]
        elif p.default is not p.empty:
            valid[p.name] = (lambda d: lambda w: d)(p.default)
        elif p.kind != p.VAR_POSITIONAL:
            missing.append(p.name)
    return Target(name, get, params, valid, missing, defaults, expect_error)


def targets():
    """Every callable to fuzz, with the methods of its instances; and ``{name: why}`` of those skipped."""
    out, skipped = [], {}
    for name, obj in discover():
        if name in SKIP:
            skipped[name] = SKIP[name]
            continue
        recipe = RECIPES.get(name, {})
        t = _target(name, lambda w, o=obj: o, obj.__init__ if isinstance(obj, type) else obj,
                    recipe.get("args", {}), recipe.get("expect_error", False))
        if t is None:
            skipped[name] = "no readable signature"
            continue
        out.append(t)
        if isinstance(obj, type) and not t.missing:
            out += _method_targets(name, obj, t, recipe.get("methods", {}), recipe.get("prepare"))
            skipped.update({k: v for k, v in SKIP.items() if k.startswith(name + ".") and hasattr(obj, k[len(name) + 1:])})
    return out, skipped


def _prepared(obj, w, method, prepare):
    """``obj`` after ``prepare(obj, w)`` (e.g. a fit before ``predict``), unless ``method`` is that step.

    ``prepare`` may be a dict ``{method: prepare}`` for a step only one method needs.
    """
    if isinstance(prepare, dict):
        prepare = prepare.get(method)
    if prepare is not None and method != "fit":
        prepare(obj, w)
    return obj


def _method_targets(name, cls, ctor, overrides, prepare=None):
    out = []
    for m in METHODS:
        f = getattr(cls, m, None)
        if f is None or not callable(f) or not (getattr(f, "__module__", "") or "").startswith("numreg"):
            continue
        if m == "forward" and issubclass(cls, nr.Module):
            continue   # a layer is called as layer(x): Module.__call__ checks x, forward is the unchecked inner step
        get = (lambda w, c=ctor, m=m, prep=prepare: getattr(_prepared(build(c, w), w, m, prep), m))
        own = {"state": lambda w, obj: obj.state_dict(), "d": lambda w, obj: obj.state_dict()} \
            if m == "load_state_dict" else {}
        t = _target(f"{name}.{m}", get, f, {**own, **overrides.get(m, {})}, prefer_defaults=True)
        if t is not None and f"{name}.{m}" in SKIP:
            continue
        if t is not None and t.params:
            out.append(t)
    return out


def build(t, w, replace=None):
    """The arguments of a valid call of ``t``, with ``replace = (name, value)`` swapped in; calls ``t``."""
    args, kwargs = [], {}
    for pname, kind in t.params:
        value = replace[1] if replace and replace[0] == pname else valid_value(t, pname, w, None)
        if kind == inspect.Parameter.VAR_POSITIONAL:
            args.extend(value if pname in t.valid or (replace and replace[0] == pname) else ())
        elif kind == inspect.Parameter.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[pname] = value
    f = t.get(w)
    owner = getattr(f, "__self__", None)          # a method's instance: recipes of (world, instance)
    for pname in kwargs:
        maker = t.valid.get(pname)
        if not (replace and replace[0] == pname) and maker is not None and maker.__code__.co_argcount == 2:
            kwargs[pname] = maker(w, owner)
    if t.name == "nr.fit":
        return _call_fit(f, w, kwargs)
    return f(*args, **kwargs)


def valid_value(t, pname, w, owner=...):
    """The valid value of ``pname`` for ``t`` in world ``w``; a maker of ``(w, instance)`` gets ``owner``.

    ``owner=...`` builds the instance (for the value's kind); None leaves such
    values to :func:`build`, which passes the instance it calls.
    """
    maker = t.valid.get(pname)
    if maker is None:
        return None
    if maker.__code__.co_argcount == 2:
        if owner is None:
            return None
        return maker(w, getattr(t.get(w), "__self__", None) if owner is ... else owner)
    return maker(w)


def _call_fit(fit, w, kwargs):
    model = kwargs["model"]
    if kwargs.get("optimizer") is None:
        kwargs["optimizer"] = nr.SGD((model if hasattr(model, "parameters") else w.model()).parameters(), lr=0.1)
    if kwargs.get("train") is None:
        kwargs["train"] = (w.X, w.y)
    return fit(**kwargs)


# -- bad values ----------------------------------------------------------------------------------------------

def bad_values(t, pname, valid):
    """``[(kind, value)]``: values that must be refused for the argument ``pname`` whose valid value is ``valid``."""
    default = t.defaults.get(pname, inspect.Parameter.empty)
    out = []
    if valid is not None and default is not None and pname not in NONE_MEANS_DEFAULT:
        out.append(("None", None))
    if pname in PATH_NAMES:
        out += [("int", 3), ("list", ["a", "b"])]
    elif isinstance(valid, (bool, np.bool_)):
        out += [("string", "yes"), ("float", 0.5)]
    elif isinstance(valid, numbers.Integral):
        out += [("float", 2.5), ("string", "3"), ("nan", math.nan), ("bool", True), ("negative", -5)]
        if pname in SIZE_NAMES:
            out.append(("huge", 10 ** 12))
    elif isinstance(valid, numbers.Real):
        out += [("nan", math.nan), ("inf", math.inf), ("string", "0.5"), ("complex", 1j)]
        if pname in NONNEG_NAMES:
            out.append(("negative", -1.0))
        if pname in PROBABILITY_NAMES:
            out.append(("above one", 1.5))
    elif isinstance(valid, str):
        out += [("unknown option", "no-such-option"), ("int", 3)]
    elif isinstance(valid, np.ndarray):
        out += _bad_arrays(valid)
    elif isinstance(valid, tuple) and len(valid) == 2 and all(isinstance(v, numbers.Real) for v in valid):
        out += [("string", "ab"), ("nan pair", (math.nan, valid[1])), ("one", (valid[0],)),
                ("three", (*valid, valid[1]))]
    elif valid is not None:   # an object, or a list/tuple/dict of them
        out += [("string", "nonsense"), ("int", 3)]
    elif valid is None and pname not in NONE_MEANS_DEFAULT | PATH_NAMES:   # optional: a value of no kind
        out += [("object", object())]
    allowed = ALLOWED.get((t.name.split(".__")[0], pname), set()) | ALLOWED.get((t.name, pname), set())
    return [(k, v) for k, v in out if k not in allowed]


def _bad_arrays(a):
    out = [("object array", a.astype(object)), ("string array", a.astype(str)),
           ("complex array", a.astype(np.complex128)), ("extra axis", a[None]),
           ("string", "data")]
    if a.dtype.kind == "f":
        nan, inf = a.copy(), a.copy()
        nan.flat[0], inf.flat[-1] = np.nan, np.inf
        out += [("nan array", nan), ("inf array", inf)]
    else:
        f = a.astype(np.float64)
        f.flat[0] = np.nan
        out.append(("nan array", f))
    if a.ndim >= 1 and a.size:
        out.append(("fewer axes", a.reshape(-1)[0] if a.ndim == 1 else a.reshape(len(a), -1)[:, 0]))
        out.append(("empty", a[:0]))
    return out


# -- running a case ----------------------------------------------------------------------------------------

class Hung(BaseException):
    """The time limit of one case ran out (a BaseException, so that no ``except Exception`` swallows it)."""


@contextlib.contextmanager
def time_limit(seconds):
    def alarm(signum, frame):
        raise Hung()
    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def names(message, pname):
    """Whether ``message`` names the argument ``pname`` as a word (``p`` in ``got p=1.5``, not in ``pair``)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(pname)}(?![A-Za-z0-9_])", message) is not None


def _has_nan(out):
    if isinstance(out, np.ndarray) and out.dtype.kind in "fc":
        return bool(np.isnan(out).any())
    if isinstance(out, float):
        return math.isnan(out)
    if isinstance(out, (tuple, list)):
        return any(_has_nan(o) for o in out[:8])
    return False


def run_case(t, pname, value, seconds=5.0):
    """``(outcome, detail)`` of one call of ``t`` with ``pname=value``: clear, obscure, silent or hung."""
    w = world()
    try:
        with time_limit(seconds), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            np.seterr(all="ignore")
            out = build(t, w, (pname, value))
    except Hung:
        return "hung", f"no answer in {seconds:g} s"
    except (ValueError, TypeError) as e:
        msg = str(e)
        if names(msg, pname) or names(msg, pname.rstrip("s")):
            return "clear", f"{type(e).__name__}: {msg[:120]}"
        return "obscure", f"{type(e).__name__} without the argument's name: {msg[:160]}"
    except Exception as e:  # noqa: BLE001 -- classifying every failure is the point
        return "obscure", f"{type(e).__name__}: {str(e)[:160]}"
    finally:
        np.seterr(all="warn")
        _close_figures()
    return "silent", ("returned NaN" if _has_nan(out) else f"accepted, returned {type(out).__name__}")


def _close_figures():
    import matplotlib.pyplot as plt
    plt.close("all")


def baseline(t, seconds=10.0):
    """None if the valid call of ``t`` works (or fails as its recipe expects), else why not."""
    if t.missing:
        return f"no recipe for {', '.join(t.missing)}"
    w = world()
    try:
        with time_limit(seconds), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            build(t, w)
    except Hung:
        return f"bad recipe: the valid call took more than {seconds:g} s"
    except Exception as e:  # noqa: BLE001
        if t.expect_error:
            return None
        return f"bad recipe: {type(e).__name__}: {str(e)[:150]}"
    return None


def cases(t):
    """``[(pname, kind, value)]`` of every bad argument for ``t``."""
    w = world()
    out = []
    for pname, kind in t.params:
        if kind == inspect.Parameter.VAR_POSITIONAL or pname not in t.valid:
            continue
        for k, v in bad_values(t, pname, valid_value(t, pname, w)):
            out.append((pname, k, v))
    return out
