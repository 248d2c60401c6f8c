"""sknumpynet: a multilayer perceptron from scratch in NumPy, for scikit-learn."""

from ._mlp import NumpyMLPClassifier
from ._progress import EpochProgress
from ._streaming import iter_chunks, partial_fit_chunks
from .datasets import MNISTUnavailableError, fetch_mnist, load_mnist_idx

__version__ = "0.1.0"

__all__ = [
    "EpochProgress",
    "MNISTUnavailableError",
    "NumpyMLPClassifier",
    "__version__",
    "fetch_mnist",
    "iter_chunks",
    "load_mnist_idx",
    "partial_fit_chunks",
]
