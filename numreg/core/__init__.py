"""The engine: parameters, layers, losses, the Sequential model, optimizers, initialization."""
from .parameter import Parameter
from .module import Module
from .layers import Linear, ReLU, Tanh, Sigmoid, Flatten
from .losses import SoftmaxCrossEntropy, MSELoss, softmax, log_softmax
from .model import Sequential
from .optim import Optimizer, SGD, Adam, AdamW
