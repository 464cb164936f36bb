"""numreg: the regularization techniques of chapter 7 of *Deep Learning*
(Goodfellow, Bengio & Courville) in pure NumPy, on a multilayer perceptron
whose backward pass is written by hand.

    import numreg as nr
"""
__version__ = "0.1.0"

# The engine
from .core import (Parameter, Module, Linear, ReLU, Tanh, Sigmoid, Flatten,
                   SoftmaxCrossEntropy, MSELoss, softmax, log_softmax,
                   Sequential, Optimizer, SGD, Adam, AdamW)
from .core.rprop import Rprop
from .regularize.dropout import Dropout
from .regularize.noise import GaussianNoise
from .models import mlp
from . import image
from .callbacks import Callback
from .train import fit, History, TrainState, evaluate, predict
from . import gradcheck, data, plots

# §7.1-7.2, §7.10 norm penalties, constraints, closed forms (one line per import)
from .regularize.penalties import L2, L1, ElasticNet
from .regularize.constraints import MaxNorm, NormBall
from .regularize.activity import ActivityL1
from . import analysis

# §7.4-7.5 augmentation, noise, corruptions, robustness, calibration
from .regularize.noise import WeightNoise
from .regularize import augment
from . import corrupt
from .regularize.sparse_connectivity import SparseLinear, local_mask
from . import metrics
from .robust import robustness

# §7.8 early stopping
from .regularize.early_stopping import EarlyStopping, early_stopping_meta_algorithm
from .regularize.prechelt import GL, PQ, UP, Patience
from .regularize.early_stopping_all_data import retrain_on_all_data, continue_on_all_data, AllDataRecord

# §7.6-7.7, 7.9, 7.11-7.13 semi-supervised, multitask, tying, bagging, dropout ensembles, adversarial
from .regularize.kmeans import KMeans
from .regularize.cluster_then_label import cluster_then_label
from .regularize.label_propagation import label_propagation
from .regularize.semisupervised_em import SemiSupervisedGMM
from .regularize.self_training import SelfTraining
from .regularize.denoising_autoencoder import DenoisingAutoencoderClassifier
from .regularize.multitask import MultiTask, MultiTaskLoss
from .regularize.tying import TiedL2
from .regularize.s7_09_tying_sharing.conv import Conv2d, MaxPool2d, AvgPool2d
from .regularize.bagging import Bagging
from .regularize.dropout_ensemble import mc_dropout_predict
from .regularize.adversarial import fgsm, FGSM
