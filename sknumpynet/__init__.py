"""sknumpynet: a multilayer perceptron from scratch in NumPy, for scikit-learn.

A reader's path through the code: start at ``_network.py`` for the math (the
forward pass, the loss and backpropagation of a batch), with
``_activations.py`` and ``_losses.py`` beside it; then ``_training.py`` and
``_lbfgs.py`` for the loops (minibatch epochs and L-BFGS), ``_stopping.py``
for when they stop and ``_optimizers.py`` for the update rules; then
``_base.py``, the scikit-learn shell that validates, hands the data to a
loop and commits what it returns; ``_classifier.py`` and ``_regressor.py``
hold only what is specific to classes and to real-valued targets.
``_array_api.py`` finds the array library and device of the data (NumPy,
PyTorch, CuPy, ...) that the math computes in; ``_ops.py`` holds the few
operations the math is written with, for one network or a stack of them
(``_stack.py``). ``_search.py`` is MLPGridSearchCV, whose groups of
candidates train as stacks along a path of epochs (``_search_tasks.py``,
``_path.py``).
"""

from importlib.metadata import PackageNotFoundError, version

from ._array_api import to_numpy
from ._classifier import NumpyMLPClassifier
from ._progress import EpochProgress
from ._regressor import NumpyMLPRegressor
from ._search import MLPGridSearchCV
from ._stopping import TrainingDiverged
from ._streaming import iter_chunks, partial_fit_chunks
from .datasets import MNISTUnavailableError, fetch_mnist, load_mnist_idx

try:  # one source of truth: the version in pyproject.toml, as installed
    __version__ = version("sknumpynet")
except PackageNotFoundError:  # run from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "EpochProgress",
    "MLPGridSearchCV",
    "MNISTUnavailableError",
    "NumpyMLPClassifier",
    "NumpyMLPRegressor",
    "TrainingDiverged",
    "__version__",
    "fetch_mnist",
    "iter_chunks",
    "load_mnist_idx",
    "partial_fit_chunks",
    "to_numpy",
]
