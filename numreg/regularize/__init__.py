"""Chapter 7, one module per technique."""
from .s7_12_dropout.dropout import Dropout
from .s7_05_noise.noise import GaussianNoise
