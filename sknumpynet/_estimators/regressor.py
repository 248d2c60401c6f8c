"""NumpyMLPRegressor: real-valued targets, their output layer and loss."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils import check_array, column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if

from .._math.activations import ACTIVATIONS
from .._math.array_api import namespace_of
from .base import BaseNumpyMLP
from .params import document

# The output activation of each loss: its canonical (inverse) link.
_OUT_ACTIVATIONS = {"squared_error": "identity", "poisson": "exp"}

# What differs from the shared parameter documentation (params.py).
_PARAMETER_DOCS = {
    "loss": (
        "{'squared_error', 'poisson'}",
        "The loss: half the squared error with an identity output, or half the\n"
        "Poisson deviance with an exponential output (a log link), for counts\n"
        "and rates; 'poisson' needs non-negative ``y``. For several outputs\n"
        "the loss of a sample is the sum over its outputs.",
    ),
}


@document
class NumpyMLPRegressor(RegressorMixin, BaseNumpyMLP):
    """Multilayer perceptron regressor trained by backpropagation, in NumPy.

    The same network, loops and parameters as :class:`NumpyMLPClassifier`,
    with an identity output layer and the squared error (or an exponential
    output and the Poisson deviance) for one or several real-valued targets.

    The defaults are chosen for regression and measured, not copied from the
    classifier: one hidden layer of 100 relu units (as in MLPRegressor)
    trained by Adam at ``alpha=0.003`` in minibatches of 32 for up to 200
    epochs; on ``load_diabetes`` and ``make_friedman1`` they beat the
    classifier's defaults and scikit-learn's learning rate of 0.001 (see the
    README). Standardise X (``StandardScaler``); targets far from unit scale
    train faster when scaled too (``TransformedTargetRegressor``).

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    %(attributes)s

    out_activation_ : str
        'identity' for ``loss='squared_error'``, 'exp' for ``loss='poisson'``.

    See Also
    --------
    NumpyMLPClassifier : The classifier on the same network.
    sklearn.neural_network.MLPRegressor : scikit-learn's multilayer perceptron.

    Notes
    -----
    The loss of a minibatch of ``b`` samples is
    ``sum(w_i * loss_i) / (b * mean(w))``, where ``mean(w)`` is the mean
    sample weight over the whole training set, so that an integer weight
    ``k`` acts as ``k`` copies of the sample. Early stopping scores the
    held-out set by R², as ``score`` does.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknumpynet import NumpyMLPRegressor
    >>> X, y = make_friedman1(n_samples=1000, noise=0.5, random_state=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = make_pipeline(
    ...     StandardScaler(), NumpyMLPRegressor(tol=None, random_state=0)
    ... ).fit(X_train, y_train)
    >>> round(reg.score(X_test, y_test), 2)
    0.97
    """

    _parameter_constraints: dict = {
        **BaseNumpyMLP._parameter_constraints,
        "loss": [StrOptions(set(_OUT_ACTIVATIONS))],
    }

    _parameter_docs = _PARAMETER_DOCS

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        solver="adam",
        alpha=0.003,
        l2=1e-4,
        batch_size=32,
        epochs=200,
        learning_rate="constant",
        power_t=0.5,
        momentum=0.0,
        nesterovs_momentum=True,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        dtype=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.solver = solver
        self.alpha = alpha
        self.l2 = l2
        self.batch_size = batch_size
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.dtype = dtype

    @available_if(BaseNumpyMLP._check_stochastic_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train the network for one epoch on the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict the target of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values (one column per output when there are several).
        """
        Z = self._logits(X, "predict")
        xp = namespace_of(Z)[0]
        P = ACTIVATIONS[self.out_activation_](Z, xp)
        return xp.reshape(P, (-1,)) if P.shape[1] == 1 else P

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    def _validate_targets(self, y, *, dtype, warm, incremental, classes):
        """Check y; return it as an (n_samples, n_outputs) matrix, and the targets."""
        y = check_array(y, ensure_2d=False, dtype=dtype, input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        out_activation = _OUT_ACTIVATIONS[self.loss]
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                f"loss='poisson' needs non-negative targets (counts or rates), "
                f"but y has negative values, the lowest {Y.min():g}. Use "
                "loss='squared_error', or shift y."
            )
        if warm and out_activation != self.out_activation_:
            raise ValueError(
                f"loss={self.loss!r} needs a {out_activation!r} output, but the "
                f"network was trained with a {self.out_activation_!r} output; "
                "set warm_start=False to train a new network."
            )
        if warm and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the network was trained on "
                f"{self.n_outputs_}; set warm_start=False to train a new network."
            )
        return np.ascontiguousarray(Y), {
            "out_activation": out_activation,
            "n_outputs": Y.shape[1],
        }

    def _encode_validation_targets(self, y_val, targets, dtype):
        """Check y_val as y was checked: an (n_val, n_outputs) matrix."""
        y_val = check_array(y_val, ensure_2d=False, dtype=dtype, input_name="y_val")
        Y = y_val.reshape(-1, 1) if y_val.ndim == 1 else y_val
        if Y.shape[1] != targets["n_outputs"]:
            raise ValueError(
                f"y_val has {Y.shape[1]} outputs but y has {targets['n_outputs']}."
            )
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                "loss='poisson' needs non-negative targets, but y_val has "
                f"negative values, the lowest {Y.min():g}."
            )
        return np.ascontiguousarray(Y)

    def _score_logits(self, Z, y, sample_weight):
        """R² of the output pre-activations ``Z`` (left unchanged) against y.

        NaN for a single held-out sample, where R² is undefined: the
        validation loss alone then decides the early stopping.
        """
        if y.shape[0] < 2:
            return np.nan
        P = Z if self.loss == "squared_error" else namespace_of(Z)[0].exp(Z)
        return r2_score(y, P, sample_weight=sample_weight)
