"""numreg: the regularization techniques of chapter 7 of *Deep Learning*
(Goodfellow, Bengio & Courville) in pure NumPy, on a multilayer perceptron
whose backward pass is written by hand.

    import numreg as nr
"""
__version__ = "0.1.0"

from .core import (Parameter, Module, Linear, ReLU, Tanh, Sigmoid, Flatten,
                   SoftmaxCrossEntropy, MSELoss, softmax, log_softmax,
                   Sequential, mlp, Optimizer, SGD, Adam, AdamW)
from .regularize import Dropout, GaussianNoise
from . import data
from .regularize.early_stopping import EarlyStopping
from .callbacks import Callback
from .train import fit, History, TrainState, evaluate, predict
from . import gradcheck
from .regularize import augment
