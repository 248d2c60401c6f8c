"""sknumpynet: a multilayer perceptron from scratch in NumPy, for scikit-learn.

The folders are the layers, and a reader's path runs up through them; each
imports only the ones below it:

``_math/``
    The network as mathematics: ``network.py`` (the forward pass, the loss
    and backpropagation of a batch; ``layout.py``, where its parameters and
    work arrays live), ``activations.py`` and ``losses.py``
    beside it, ``targets.py`` (an epoch's targets in training order), and
    ``ops.py``, the few operations the formulas are written with, for one
    network or a stack of them, in any array library (``array_api.py``).
``_training/``
    The loops over a training state (``state.py``): minibatch epochs
    (``minibatch.py``, ``epoch.py``) and L-BFGS (``lbfgs.py``), the update
    rules (``optimizers.py``), when training stops (``stopping.py``), and
    k networks trained side by side (``stack.py``).
``_estimators/``
    The scikit-learn shell that validates, hands the data to a loop and
    commits what it returns (``base.py``); ``classifier.py`` and
    ``regressor.py`` hold only what is specific to classes and to
    real-valued targets.
``_search/``
    MLPGridSearchCV (``grid.py``): groups of candidates (``tasks.py``) that
    train as stacks along a path of epochs (``path.py``).
``_cli/``
    ``python -m sknumpynet``: train, and ``predict`` your own digits.

``datasets``, ``onnx`` and ``example_tools`` are public modules.
"""

from importlib.metadata import PackageNotFoundError, version

from ._estimators.callbacks import EpochProgress
from ._estimators.classifier import NumpyMLPClassifier
from ._estimators.namespaces import to_numpy
from ._estimators.regressor import NumpyMLPRegressor
from ._estimators.streaming import iter_chunks, partial_fit_chunks
from ._search.grid import MLPGridSearchCV, MLPRandomizedSearchCV
from ._search.halving import MLPHalvingGridSearchCV, MLPHalvingRandomSearchCV
from ._training.stopping import TrainingDiverged
from .datasets import MNISTUnavailableError, fetch_mnist, load_mnist_idx

try:  # one source of truth: the version in pyproject.toml, as installed
    __version__ = version("sknumpynet")
except PackageNotFoundError:  # run from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "EpochProgress",
    "MLPGridSearchCV",
    "MLPHalvingGridSearchCV",
    "MLPHalvingRandomSearchCV",
    "MLPRandomizedSearchCV",
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
