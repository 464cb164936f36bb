"""Chapter 7, one module per technique."""
from .dropout import Dropout
from .noise import GaussianNoise
