"""sknumpynet: a multilayer perceptron from scratch in NumPy, for scikit-learn."""

from ._mlp import NumpyMLPClassifier

__version__ = "0.1.0"

__all__ = ["NumpyMLPClassifier", "__version__"]
