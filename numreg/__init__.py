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
from .regularize.s7_12_dropout.dropout import Dropout
from .regularize.s7_05_noise.noise import GaussianNoise
from .models import mlp
from . import image
from .training.callbacks import Callback
from .training import fit, History, TrainState, evaluate, predict
from . import gradcheck, data, plots, training, files, robust, study

# §7.1-7.2, §7.10 norm penalties, constraints, closed forms (one line per import)
from .regularize.s7_01_norm_penalties.penalties import L2, L1, ElasticNet
from .regularize.s7_02_constraints.constraints import MaxNorm, NormBall
from .regularize.s7_10_sparse_representations.activity import ActivityL1
from . import analysis

# §7.4-7.5 augmentation, noise, corruptions, robustness, calibration
from .regularize.s7_05_noise.noise import WeightNoise
from .regularize.s7_04_augmentation import augment
from .robust import corrupt
from .robust.sparse_connectivity import SparseLinear, local_mask
from . import metrics
from .robust.tables import robustness

# §7.8 early stopping
from .regularize.s7_08_early_stopping.early_stopping import EarlyStopping
from .regularize.s7_08_early_stopping.algorithm_7_1 import early_stopping_meta_algorithm
from .regularize.s7_08_early_stopping.prechelt import GL, PQ, UP, Patience
from .regularize.s7_08_early_stopping.all_data import retrain_on_all_data, continue_on_all_data, AllDataRecord

# §7.6-7.7, 7.9, 7.11-7.13 semi-supervised, multitask, tying, bagging, dropout ensembles, adversarial
from .regularize.s7_06_semi_supervised.kmeans import KMeans
from .regularize.s7_06_semi_supervised.cluster_then_label import cluster_then_label
from .regularize.s7_06_semi_supervised.label_propagation import label_propagation
from .regularize.s7_06_semi_supervised.generative_em import SemiSupervisedGMM
from .regularize.s7_06_semi_supervised.self_training import SelfTraining
from .regularize.s7_06_semi_supervised.denoising_autoencoder import DenoisingAutoencoderClassifier
from .regularize.s7_07_multitask.multitask import MultiTask, MultiTaskLoss
from .regularize.s7_09_tying_sharing.tying import TiedL2
from .regularize.s7_09_tying_sharing.conv import Conv2d, MaxPool2d, AvgPool2d
from .regularize.s7_11_bagging.bagging import Bagging
from .regularize.s7_12_dropout.ensemble import mc_dropout_predict
from .regularize.s7_13_adversarial.fgsm import fgsm, FGSM

# §7.3, §7.10 OMP, §7.12 dropout's relatives (issue 14)
from .regularize.s7_12_dropout.dropconnect import DropConnect
from .regularize.s7_12_dropout.gaussian_dropout import GaussianDropout
from .regularize.s7_10_sparse_representations.omp import omp
# §7.14 tangent distance, tangent prop, manifold tangent classifier
from .regularize.s7_14_tangent.tangents import tangent_vectors
from .regularize.s7_14_tangent.distance import tangent_distance, pairwise_tangent_distance, TangentNearestNeighbour
from .regularize.s7_14_tangent.tangent_prop import TangentProp, TangentTable, tangent_prop_penalty
from .regularize.s7_13_adversarial.vat import VAT
from .regularize.s7_14_tangent.contractive import ContractiveAutoencoder
# Tang & Eliasmith (2010): RBMs, the sparse DBN
from .robust.rbm import RBM
from .robust.dbn import DBN
