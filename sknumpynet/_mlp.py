"""NumpyMLPClassifier: a multilayer perceptron written from scratch in NumPy."""

import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._activations import ACTIVATIONS, DERIVATIVES, LOG_OUTPUT_ACTIVATIONS
from ._callbacks import CallbackSupportMixin
from ._losses import LOSSES, OUTPUT_DELTAS
from ._optimizers import AdamOptimizer, SGDOptimizer

_STOCHASTIC_SOLVERS = ("sgd", "adam")


def _sparse_dot_into(A, B, out):
    """Write ``A @ B`` into ``out`` where ``A`` is a scipy sparse matrix."""
    out[...] = A @ B
    return out


def _take_rows(X, idx, out):
    """Gather rows ``idx`` of ``X``: into the buffer ``out`` when X is dense."""
    if out is None:
        return X[idx]
    return X.take(idx, axis=0, out=out[: idx.shape[0]])


class _Buffers:
    """Work arrays of one minibatch size, allocated once per fit.

    ``activations[0]`` is the input batch, ``activations[i]`` of shape
    ``(batch_size, layer_units[i])`` the output of layer ``i``. ``deltas[i]``
    is the error signal of hidden layer ``i + 1``; the output layer's delta is
    computed in place in ``activations[-1]``. The gradients are views into one
    flat array laid out like the flat parameter vector. ``dot`` multiplies the
    input batch (dense or sparse) by the first weight matrix.
    """

    def __init__(self, batch_size, layer_units, dtype, sparse_input, gather=True):
        # Minibatches of dense X are gathered into this buffer; full-batch
        # training (L-BFGS) and sparse X use the rows as they are.
        self.X = (
            np.empty((batch_size, layer_units[0]), dtype=dtype)
            if gather and not sparse_input
            else None
        )
        self.activations = [None] + [
            np.empty((batch_size, n), dtype=dtype) for n in layer_units[1:]
        ]
        self.deltas = [
            np.empty((batch_size, n), dtype=dtype) for n in layer_units[1:-1]
        ]
        self.flat_grad = np.empty(_n_params(layer_units), dtype=dtype)
        self.coef_grads, self.intercept_grads = _unflatten(self.flat_grad, layer_units)
        self.rows = np.arange(batch_size)
        self.dot = _sparse_dot_into if sparse_input else np.matmul
        self._cuts = {}

    def cut(self, n):
        """Return the activations, deltas and row indices of a batch of ``n``."""
        if n not in self._cuts:
            self._cuts[n] = (
                [None] + [a[:n] for a in self.activations[1:]],
                [d[:n] for d in self.deltas],
                self.rows[:n],
            )
        return self._cuts[n]


def _n_params(layer_units):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(layer_units, layer_units[1:]))


def _unflatten(flat, layer_units):
    """Cut a flat parameter vector into weight matrices and bias vectors (views)."""
    coefs, intercepts, start = [], [], 0
    for n_in, n_out in zip(layer_units, layer_units[1:]):
        coefs.append(flat[start : start + n_in * n_out].reshape(n_in, n_out))
        start += n_in * n_out
    for n_out in layer_units[1:]:
        intercepts.append(flat[start : start + n_out])
        start += n_out
    return coefs, intercepts


def _row_groups(A):
    """Label each row of ``A`` with the id of its distinct value.

    Parameters
    ----------
    A : ndarray or sparse matrix of shape (n_rows, n_columns), or ndarray of
        shape (n_rows,)

    Returns
    -------
    ids : ndarray of shape (n_rows,)
        Equal ids for rows equal to the bit, numbered in sorted order.
    """
    if sparse.issparse(A):
        A = sparse.csr_matrix(A, copy=True)
        A.sum_duplicates()
        A.sort_indices()
        keys = [
            A.indices[a:b].tobytes() + A.data[a:b].tobytes()
            for a, b in zip(A.indptr[:-1], A.indptr[1:])
        ]
        return np.unique(np.array(keys, dtype=object), return_inverse=True)[1]
    A = np.ascontiguousarray(A.reshape(A.shape[0], -1))
    rows = A.view(np.dtype((np.void, A.dtype.itemsize * A.shape[1]))).ravel()
    return np.unique(rows, return_inverse=True)[1].ravel()


def _validation_split(X, y, sample_weight, fraction, rng):
    """Split the row indices into a training and a validation set.

    Identical samples (same features and target) always land on the same side,
    so a duplicated row never leaks from training into validation, and an
    integer ``sample_weight`` gives the same split as repeating the rows. For
    class targets, each class is split on its own (stratified): its distinct
    samples are drawn in random order into validation until they hold
    ``fraction`` of the class's weight, never taking its last one. Samples of
    zero weight stay in training, where they have no effect.

    Returns
    -------
    train_idx, val_idx : ndarray of int
    """
    n_samples = X.shape[0]
    weight = np.ones(n_samples) if sample_weight is None else sample_weight
    positive = np.flatnonzero(weight > 0)
    X_pos = X if positive.shape[0] == n_samples else X[positive]
    by_x, by_y = _row_groups(X_pos), _row_groups(y[positive])
    group = np.unique(by_x * (by_y.max() + 1) + by_y, return_inverse=True)[1].ravel()
    n_groups = group.max() + 1
    group_weight = np.bincount(group, weights=weight[positive], minlength=n_groups)
    group_class = np.zeros(n_groups, dtype=np.intp)
    if y.ndim == 1:
        group_class[group] = y[positive]
    in_validation = np.zeros(n_groups, dtype=bool)
    order = rng.permutation(n_groups)
    for c in np.unique(group_class):
        members = order[group_class[order] == c]
        target = fraction * group_weight[members].sum()
        taken = np.cumsum(group_weight[members]) - group_weight[members] < target
        taken[-1] = False
        in_validation[members[taken]] = True
    is_val = np.zeros(n_samples, dtype=bool)
    is_val[positive] = in_validation[group]
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


class NumpyMLPClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Multilayer perceptron classifier trained by backpropagation, in NumPy.

    A feed-forward network of ``tanh`` (or other) hidden layers and a softmax
    output layer, trained on the cross-entropy loss by minibatch gradient
    descent, Adam or L-BFGS. The forward pass, the backward pass and the
    optimizers are written from scratch in NumPy.

    The defaults are the network of the project this estimator descends from,
    "Neural Network from Scratch with Numpy": one hidden layer of 10 tanh units,
    learning rate 0.1, minibatches of 32, 100 epochs. To that network the
    defaults add a small L2 penalty (``l2=0.01``), measured to raise its MNIST
    test accuracy; ``l2=0`` trains on the original project's objective.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(10,)
        The number of units in each hidden layer.

    activation : {'tanh', 'relu', 'logistic', 'identity'}, default='tanh'
        Activation function of the hidden layers.

    solver : {'sgd', 'adam', 'lbfgs'}, default='sgd'
        The optimizer: minibatch stochastic gradient descent, Adam, or the
        full-batch quasi-Newton method L-BFGS (through ``scipy.optimize``).

    alpha : float, default=0.1
        **The learning rate** (the step size of 'sgd' and 'adam'), under the
        name the original project gave it. This is *not* scikit-learn's
        ``alpha``, which is an L2 penalty: that one is called ``l2`` here.
        For ``solver='adam'`` a value near 0.001 is usual.

    l2 : float, default=0.01
        Strength of the L2 penalty on the weights (scikit-learn's ``alpha``,
        whose default is 0.0001). The penalty ``l2 / 2 * ||W||^2`` is added
        to the summed loss of each minibatch before it is normalised, as in
        MLPClassifier. The default was measured on MNIST: it closes part of
        the gap between training and test accuracy of the 784-10-10 network
        (mean MNIST test accuracy over 6 seeds after 100 epochs: 92.84 % with
        ``l2=0``, 93.71 % with ``l2=0.01``). Set ``l2=0`` for no penalty.

    batch_size : int, default=32
        Number of samples in each minibatch of the stochastic solvers. It is
        cut down to the number of training samples when it is larger.

    epochs : int, default=100
        The maximum number of passes over the training data (stochastic
        solvers) or of iterations (``'lbfgs'``).

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule of ``solver='sgd'``: constant, divided by
        ``(t + 1) ** power_t`` after each epoch (``t`` samples seen), or divided
        by 5 each time the loss stops improving for ``n_iter_no_change`` epochs.

    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.

    momentum : float, default=0.0
        Momentum of ``solver='sgd'``, between 0 and 1.

    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum when ``momentum > 0``.

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling, the validation split
        and dropout. Pass an int for reproducible, bit-identical fits.

    tol : float or None, default=1e-4
        Training stops when the loss (or, with ``early_stopping``, the
        validation score) does not improve by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs. ``None`` runs all ``epochs``.

    verbose : int, default=0
        Print one line per epoch: its loss and its duration.

    warm_start : bool, default=False
        Continue from the weights and optimizer state of the previous fit.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when
        neither its accuracy nor its loss improves by ``tol`` for
        ``n_iter_no_change`` epochs, and restore the weights of the epoch of
        lowest validation loss. Identical samples are never split between
        training and validation.
        Only for the stochastic solvers; ``partial_fit`` trains on all data.

    validation_fraction : float, default=0.1
        The fraction of training data held out for early stopping.

    beta_1 : float, default=0.9
        Decay rate of Adam's first moment estimate.

    beta_2 : float, default=0.999
        Decay rate of Adam's second moment estimate.

    epsilon : float, default=1e-8
        Adam's numerical stability term.

    n_iter_no_change : int, default=10
        Number of epochs without improvement by ``tol`` before stopping.

    max_fun : int, default=15000
        The maximum number of loss evaluations of ``solver='lbfgs'``.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``. 'balanced'
        weights class ``c`` by ``W / (n_classes * W_c)``, where ``W_c`` is the
        total sample weight of class ``c`` (its number of samples when no
        ``sample_weight`` is given) and ``W`` that of all classes. Not used for
        multilabel targets. With ``partial_fit``, computed on each call's data.

    dropout : float, default=0.0
        Probability of dropping each hidden unit during training (inverted
        dropout; predictions use the whole network and stay deterministic).

    dtype : {'float32', 'float64'} or None, default=None
        The compute precision. ``None`` trains and predicts float32 input in
        float32 and anything else in float64; a string forces one precision.
        float32 trains about three times faster.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when they are all strings.

    coefs_ : list of ndarray of shape (n_units_in, n_units_out)
        ``coefs_[i]`` is the weight matrix of layer ``i``.

    intercepts_ : list of ndarray of shape (n_units_out,)
        ``intercepts_[i]`` is the bias vector of layer ``i``.

    n_iter_ : int
        The number of epochs (L-BFGS: iterations) run, over all calls.

    t_ : int
        The number of training samples seen by the stochastic solvers.

    loss_ : float
        The loss of the last epoch.

    loss_curve_ : list of float
        The loss of every epoch.

    best_loss_ : float
        The lowest training loss reached.

    validation_scores_ : list of float or None
        With ``early_stopping``, the accuracy on the held-out set after every
        epoch.

    validation_loss_curve_ : list of float or None
        With ``early_stopping``, the loss on the held-out set after every epoch.

    best_validation_loss_ : float or None
        With ``early_stopping``, the lowest held-out loss: its epoch's weights
        are the ones kept.

    best_validation_score_ : float or None
        With ``early_stopping``, the held-out accuracy of the epoch kept.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        'softmax' for binary and multiclass targets, 'logistic' for multilabel.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's multilayer perceptron.

    Notes
    -----
    Binary problems use a two-unit softmax output, so ``coefs_[-1]`` has two
    columns where scikit-learn's MLPClassifier has one logistic unit.

    The loss of a minibatch of ``b`` samples is
    ``sum(w_i * loss_i) / (b * mean(w))``, where ``mean(w)`` is the mean
    sample weight over the whole training set: an integer weight ``k`` acts as
    ``k`` copies of the sample, and a minibatch whose weights are all zero
    makes no step instead of dividing by zero.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sknumpynet import NumpyMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = make_pipeline(
    ...     MinMaxScaler(), NumpyMLPClassifier(epochs=20, random_state=0)
    ... ).fit(X_train, y_train)
    >>> clf.predict(X_test[:5])
    array([2, 8, 2, 6, 6])
    >>> round(clf.score(X_test, y_test), 2)
    0.96
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "dtype": [StrOptions({"float32", "float64"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(10,),
        activation="tanh",
        *,
        solver="sgd",
        alpha=0.1,
        l2=0.01,
        batch_size=32,
        epochs=100,
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
        class_weight=None,
        dropout=0.0,
        dtype=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.class_weight = class_weight
        self.dropout = dropout
        self.dtype = dtype

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target class labels, or a label indicator matrix (multilabel).

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights. An integer weight acts as that many
            copies of the sample.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _check_stochastic_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic solvers "
                f"{_STOCHASTIC_SOLVERS}; got solver={self.solver!r}."
            )
        return True

    @available_if(_check_stochastic_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train the network for one epoch on the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        classes : array-like of shape (n_classes,), default=None
            All the classes that can appear in any call. Required on the first
            call, ignored on the later ones.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X):
        """Predict the class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (a label indicator matrix for multilabel).
        """
        Z = self._logits(X)
        if self.out_activation_ == "logistic":
            return (Z > 0).astype(int)
        return self.classes_[np.argmax(Z, axis=1)]

    def predict_proba(self, X):
        """Probability of each class for each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The class probabilities, in the order of ``classes_``.
        """
        Z = self._logits(X)
        return ACTIVATIONS[self.out_activation_](Z)

    def predict_log_proba(self, X):
        """Log of the probability of each class for each sample.

        Computed from the logits directly, so it stays finite where the
        probability underflows to zero.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log class probabilities, in the order of ``classes_``.
        """
        Z = self._logits(X)
        return LOG_OUTPUT_ACTIVATIONS[self.out_activation_](Z)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    def _validate_input(self, X, y, *, first_pass, incremental, classes):
        """Validate X and y; return X, the encoded targets and the output.

        X comes back in the compute dtype. The encoded targets are class
        indices of shape (n_samples,) for a ``'softmax'`` output, or an
        indicator matrix (n_samples, n_outputs) for a ``'logistic'`` output.
        """
        if first_pass:
            dtype = (np.float64, np.float32) if self.dtype is None else self.dtype
        else:
            dtype = self.coefs_[0].dtype
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=dtype,
            multi_output=True,
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        target_type = type_of_target(y)

        if target_type == "multilabel-indicator":
            out_activation = "logistic"
            labels = np.arange(y.shape[1])
        else:
            out_activation = "softmax"
            labels = np.unique(y)

        if first_pass and incremental:
            if target_type == "multilabel-indicator" and classes is None:
                classes = labels
            _check_partial_fit_first_call(self, classes)
        elif first_pass:
            self.classes_ = labels

        if first_pass:
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes, "
                    f"but the data contains only one class: {self.classes_[0]}. "
                    "Pass data with two or more classes."
                )
        elif out_activation != self.out_activation_:
            raise ValueError(
                f"The target type changed from the one the network was trained "
                f"on ({self.out_activation_!r} outputs); fit a new estimator or "
                "set warm_start=False."
            )

        if out_activation == "logistic":
            if y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y has {y.shape[1]} labels but the network was trained on "
                    f"{len(self.classes_)}."
                )
            return X, np.ascontiguousarray(y, dtype=X.dtype), out_activation
        unknown = np.setdiff1d(labels, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains classes {unknown.tolist()} that are not in "
                f"classes_={self.classes_.tolist()}. Pass every class to the first "
                "partial_fit call through `classes`, or fit again with "
                "warm_start=False."
            )
        return X, np.searchsorted(self.classes_, y), out_activation

    def _sample_weight(self, sample_weight, X, y):
        """Combine sample_weight and class_weight; None when all weights are 1."""
        if sample_weight is None and self.class_weight is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        if self.class_weight is not None and self.out_activation_ == "softmax":
            sample_weight = sample_weight * self._class_weights(y, sample_weight)[y]
        total = sample_weight.sum()
        if not total > 0:
            raise ValueError(
                "The sample weights sum to zero: there is nothing to learn from. "
                "Give at least one sample a positive weight."
            )
        if self.out_activation_ == "softmax":
            weighted_classes = np.unique(y[sample_weight > 0])
            if weighted_classes.size < 2:
                raise ValueError(
                    "Only one class has a non-zero sample_weight "
                    f"({self.classes_[weighted_classes[0]]}); the classifier "
                    "needs samples of at least 2 classes with positive weight."
                )
        return sample_weight

    def _class_weights(self, y, sample_weight):
        """Weight of each class, in the order of ``classes_``.

        'balanced' counts each class by its total sample weight, so that
        integer weights and repeated rows give the same class weights.
        """
        n_classes = len(self.classes_)
        if isinstance(self.class_weight, dict):
            return np.array(
                [self.class_weight.get(c, 1.0) for c in self.classes_], dtype=float
            ).astype(sample_weight.dtype)
        counts = np.bincount(y, weights=sample_weight, minlength=n_classes)
        present = counts > 0
        weights = np.ones(n_classes)
        weights[present] = counts.sum() / (present.sum() * counts[present])
        return weights.astype(sample_weight.dtype)

    # ------------------------------------------------------------------
    # Training
    # ------------------------------------------------------------------

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        hidden_layer_sizes = np.atleast_1d(self.hidden_layer_sizes).tolist()
        if any(not isinstance(n, Integral) or n < 1 for n in hidden_layer_sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        if self.solver == "lbfgs" and self.dropout > 0:
            raise ValueError(
                "dropout needs a stochastic solver ('sgd' or 'adam'); L-BFGS "
                "minimises a fixed full-batch loss. Set dropout=0 or change solver."
            )
        fitted = hasattr(self, "coefs_")
        first_pass = not fitted or (not incremental and not self.warm_start)

        X, y, out_activation = self._validate_input(
            X, y, first_pass=first_pass, incremental=incremental, classes=classes
        )
        layer_units = [X.shape[1], *hidden_layer_sizes, len(self.classes_)]
        if not first_pass:
            trained_units = [self.n_features_in_] + [c.shape[1] for c in self.coefs_]
            if trained_units != layer_units:
                raise ValueError(
                    f"hidden_layer_sizes={self.hidden_layer_sizes!r} does not match "
                    f"the trained network's layers {trained_units[1:-1]}; set "
                    "warm_start=False to train a new network."
                )

        rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, out_activation, X.dtype, rng)
        else:
            self._pack_params(layer_units)
        sample_weight = self._sample_weight(sample_weight, X, y)

        epochs = 1 if incremental else self.epochs
        callback_ctx = self._init_callback_context(max_subtasks=epochs)
        metadata = {"sample_weight": sample_weight} if sample_weight is not None else {}
        callback_ctx.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, y, sample_weight, layer_units, callback_ctx)
            else:
                self._fit_stochastic(
                    X, y, sample_weight, layer_units, rng, incremental, callback_ctx
                )

        callback_ctx.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        return self

    def _initialize(self, layer_units, out_activation, dtype, rng):
        """Draw the initial weights and reset the training state.

        Weights and biases are drawn uniformly in ``[-b, b]`` with
        ``b = sqrt(f / (fan_in + fan_out))`` (Glorot and Bengio, 2010), ``f = 2``
        for logistic units and 6 otherwise. They are drawn in float64 so that
        both precisions start from the same network.
        """
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = out_activation
        factor = 2.0 if self.activation == "logistic" else 6.0
        flat = np.empty(_n_params(layer_units), dtype=dtype)
        coefs, intercepts = _unflatten(flat, layer_units)
        for coef, intercept in zip(coefs, intercepts):
            fan_in, fan_out = coef.shape
            bound = np.sqrt(factor / (fan_in + fan_out))
            coef[...] = rng.uniform(-bound, bound, (fan_in, fan_out))
            intercept[...] = rng.uniform(-bound, bound, fan_out)
        self._flat_params, self.coefs_, self.intercepts_ = flat, coefs, intercepts
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_ = None
        self.loss_curve_ = []
        self._no_improvement_count = 0
        self.best_loss_ = np.inf
        if self.early_stopping:
            self.validation_scores_ = []
            self.validation_loss_curve_ = []
            self.best_validation_score_ = -np.inf
            self.best_validation_loss_ = np.inf
            self._highest_val_score = -np.inf
        else:
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None
            self.best_validation_loss_ = None
        self.__dict__.pop("_optimizer", None)

    def _pack_params(self, layer_units):
        """Make coefs_ and intercepts_ views of one flat vector again.

        They stop being views after unpickling or after a user assigns to them.
        """
        flat = getattr(self, "_flat_params", None)
        coefs, intercepts = (
            _unflatten(flat, layer_units) if flat is not None else (None, None)
        )
        if flat is not None and all(
            np.shares_memory(a, b)
            for a, b in zip(coefs + intercepts, self.coefs_ + self.intercepts_)
        ):
            return
        flat = np.concatenate([p.ravel() for p in self.coefs_ + self.intercepts_])
        self._flat_params = flat
        self.coefs_, self.intercepts_ = _unflatten(flat, layer_units)

    def _make_optimizer(self):
        """Return the optimizer, keeping its state when its settings are unchanged."""
        if self.solver == "sgd":
            settings = (
                "sgd",
                self.alpha,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        else:
            settings = ("adam", self.alpha, self.beta_1, self.beta_2, self.epsilon)
        optimizer = getattr(self, "_optimizer", None)
        if optimizer is not None and self._optimizer_settings == settings:
            return optimizer
        params = [self._flat_params]
        if self.solver == "sgd":
            optimizer = SGDOptimizer(params, *settings[1:])
        else:
            optimizer = AdamOptimizer(params, *settings[1:])
        self._optimizer, self._optimizer_settings = optimizer, settings
        return optimizer

    def _forward_pass(self, activations, masks=None, dot=np.matmul):
        """Fill ``activations[1:]`` from the input batch ``activations[0]``.

        ``activations[i]`` has shape (n_samples, layer_units[i]); the last one
        holds the output probabilities. ``masks[i]``, when given, is the
        inverted-dropout mask of hidden layer ``i + 1``. ``dot`` multiplies the
        input batch by the first weight matrix (``_sparse_dot_into`` for sparse X).
        """
        hidden_activation = ACTIVATIONS[self.activation]
        last = self.n_layers_ - 2
        for i, (coef, intercept) in enumerate(zip(self.coefs_, self.intercepts_)):
            Z = (dot if i == 0 else np.matmul)(
                activations[i], coef, out=activations[i + 1]
            )
            Z += intercept
            if i < last:
                hidden_activation(Z)
                if masks is not None:
                    Z *= masks[i]
        ACTIVATIONS[self.out_activation_](activations[-1])
        return activations

    def _loss_weights(self, sample_weight, train_idx=slice(None)):
        """Return the per-sample loss scale and the L2 strength to train with.

        Sample weights are divided by their mean over the training samples,
        and so is the L2 penalty. The objective of a batch is then
        ``(sum(w * loss) + l2 / 2 * ||W||^2) / (n * mean(w))``, which is the
        same for integer weights as for repeated rows.
        """
        if sample_weight is None:
            return None, self.l2
        mean = sample_weight[train_idx].mean()
        return sample_weight / mean, self.l2 / mean

    def _backprop(self, X, y, scale, l2, buffers, masks=None):
        """Compute the loss of a batch and the gradients of its parameters.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            The input batch.
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Encoded targets (class indices or indicator matrix).
        scale : ndarray of shape (n_samples,) or None
            Normalised sample weights (mean 1 over the training set); None
            means all ones.
        l2 : float
            Strength of the L2 penalty, normalised like the weights (see
            ``_loss_weights``).
        buffers : _Buffers
            Work arrays; the gradients are written to ``buffers.flat_grad``
            (through its views ``coef_grads`` and ``intercept_grads``).
        masks : list of ndarray, default=None
            Dropout masks of the hidden layers.

        Returns
        -------
        loss : float
            The *sum* over the batch of the weighted loss, plus the L2 penalty.
            The gradients are those of this sum divided by ``n_samples``.
        """
        n_samples = X.shape[0]
        activations, deltas, rows = buffers.cut(n_samples)
        coef_grads, intercept_grads = buffers.coef_grads, buffers.intercept_grads
        activations[0] = X
        self._forward_pass(activations, masks, buffers.dot)
        out = self.out_activation_
        loss = LOSSES[out](y, activations[-1], scale, rows)
        # The output delta P - Y overwrites the probabilities.
        delta = OUTPUT_DELTAS[out](y, activations[-1], rows)
        if scale is None:
            delta *= 1.0 / n_samples
        else:
            delta *= (scale * (1.0 / n_samples))[:, np.newaxis]
        if l2:
            loss += 0.5 * l2 * sum(np.vdot(c, c) for c in self.coefs_)

        derivative = DERIVATIVES[self.activation]
        keep = 1.0 - self.dropout
        for i in range(self.n_layers_ - 2, -1, -1):
            (buffers.dot if i == 0 else np.matmul)(
                activations[i].T, delta, out=coef_grads[i]
            )
            if l2:
                coef_grads[i] += (l2 / n_samples) * self.coefs_[i]
            np.add.reduce(delta, axis=0, out=intercept_grads[i])
            if i == 0:
                # No delta for the input layer: nothing below it learns.
                break
            delta = np.matmul(delta, self.coefs_[i].T, out=deltas[i - 1])
            if masks is not None:
                delta *= masks[i - 1]
                # Undo the mask's 1/keep scaling so the derivative sees the
                # unit's real output (dropped units have zero delta anyway).
                activations[i] *= keep
            derivative(activations[i], delta)
        return loss

    def _fit_stochastic(
        self, X, y, sample_weight, layer_units, rng, incremental, callback_ctx
    ):
        """Minibatch training with the 'sgd' or 'adam' optimizer, epoch by epoch."""
        optimizer = self._make_optimizer()
        n_samples = X.shape[0]
        early_stopping = self.early_stopping and not incremental
        if early_stopping:
            train_idx, val_idx = _validation_split(
                X, y, sample_weight, self.validation_fraction, rng
            )
            if val_idx.shape[0] == 0:
                raise ValueError(
                    f"The validation set for early stopping is empty: "
                    f"validation_fraction={self.validation_fraction} of "
                    f"{n_samples} samples leaves no sample to validate on. "
                    "Increase validation_fraction or pass more data."
                )
            validation = (
                X[val_idx],
                y[val_idx],
                None if sample_weight is None else sample_weight[val_idx],
            )
            # The weights we start from are the best known until an epoch beats
            # them; on a warm start they are the previous fit's best.
            self._best_params = self._flat_params.copy()
        else:
            train_idx, validation = np.arange(n_samples), None
        n_train = train_idx.shape[0]
        scale, l2 = self._loss_weights(sample_weight, train_idx)

        batch_size = min(self.batch_size, n_train)
        buffers = _Buffers(batch_size, layer_units, X.dtype, sparse.issparse(X))
        y_buffer = np.empty((batch_size, *y.shape[1:]), dtype=y.dtype)
        scale_buffer = None if scale is None else np.empty(batch_size, X.dtype)
        params, grads = [self._flat_params], [buffers.flat_grad]
        hidden_units = layer_units[1:-1]

        epochs = 1 if incremental else self.epochs
        start_time = time.perf_counter()
        for epoch in range(epochs):
            epoch_ctx = callback_ctx.subcontext(task_name="epoch")
            epoch_ctx.call_on_fit_task_begin(estimator=self, X=X, y=y)
            snapshot = self._flat_params.copy()
            order = rng.permutation(train_idx) if self.shuffle else train_idx
            accumulated_loss = 0.0
            try:
                for start in range(0, n_train, batch_size):
                    idx = order[start : start + batch_size]
                    n = idx.shape[0]
                    masks = None
                    if self.dropout:
                        masks = [
                            (rng.random_sample((n, units)) >= self.dropout).astype(
                                X.dtype
                            )
                            / X.dtype.type(1 - self.dropout)
                            for units in hidden_units
                        ]
                    accumulated_loss += self._backprop(
                        _take_rows(X, idx, buffers.X),
                        y.take(idx, axis=0, out=y_buffer[:n]),
                        None
                        if scale is None
                        else scale.take(idx, out=scale_buffer[:n]),
                        l2,
                        buffers,
                        masks,
                    )
                    optimizer.update_params(params, grads)
            except KeyboardInterrupt:
                self._flat_params[...] = snapshot
                warnings.warn(
                    f"Training interrupted by the user during epoch "
                    f"{self.n_iter_ + 1}; kept the weights of the {self.n_iter_} "
                    "epoch(s) completed.",
                    UserWarning,
                    stacklevel=5,
                )
                break
            loss = accumulated_loss / n_train
            self._check_finite(loss, snapshot)

            self.n_iter_ += 1
            self.t_ += n_train
            self.loss_ = loss
            self.loss_curve_.append(loss)
            stop = self._update_no_improvement_count(validation)
            if self.verbose:
                self._print_progress(epoch, epochs, start_time)
            optimizer.iteration_ends(self.t_)
            stop_requested = epoch_ctx.call_on_fit_task_end(
                estimator=self,
                X=X,
                y=y,
                reconstruction_attributes=self._reconstruction_attributes,
            )
            if stop_requested:
                break
            if stop:
                msg = (
                    f"{'Validation score' if early_stopping else 'Training loss'} "
                    f"did not improve more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive epochs."
                )
                if optimizer.trigger_stopping(msg, self.verbose):
                    break
                self._no_improvement_count = 0
        else:
            if not incremental and self.tol is not None:
                warnings.warn(
                    f"{type(self).__name__}: {self.epochs} epochs reached and the "
                    "optimization hasn't converged yet. Increase epochs, or set "
                    "tol=None to always run exactly `epochs` epochs.",
                    ConvergenceWarning,
                    stacklevel=5,
                )
        if early_stopping:
            self._flat_params[...] = self._best_params
            del self._best_params

    def _check_finite(self, loss, snapshot):
        """Raise a clear error when training has diverged, keeping the old weights."""
        if np.isfinite(loss) and np.isfinite(self._flat_params).all():
            return
        self._flat_params[...] = snapshot
        raise ValueError(
            f"Training diverged in epoch {self.n_iter_ + 1}: the loss became "
            f"{loss}. The learning rate alpha={self.alpha} is too large for this "
            "data, or the features are badly scaled. Lower alpha (e.g. "
            f"alpha={self.alpha / 10:g}) or scale X, e.g. with "
            "make_pipeline(MinMaxScaler(), NumpyMLPClassifier()). The weights "
            "from before this epoch were kept."
        )

    def _update_no_improvement_count(self, validation):
        """Track the best epoch; return True when training should stop."""
        if validation is not None:
            X_val, y_val, sw_val = validation
            val_loss, val_score = self._loss_and_accuracy(X_val, y_val, sw_val)
            self.validation_loss_curve_.append(float(val_loss))
            self.validation_scores_.append(float(val_score))
            # An epoch counts as progress when it raises the accuracy or lowers
            # the loss on the validation set by tol: accuracy alone saturates.
            improved = self.tol is not None and (
                val_score >= self._highest_val_score + self.tol
                or val_loss <= self.best_validation_loss_ - self.tol
            )
            self._highest_val_score = max(self._highest_val_score, val_score)
            # The best epoch is the one of lowest validation loss: unlike the
            # accuracy, it tells apart epochs that classify alike.
            if val_loss < self.best_validation_loss_:
                self.best_validation_loss_ = val_loss
                self.best_validation_score_ = val_score
                self._best_params = self._flat_params.copy()
        else:
            improved = self.tol is not None and (
                self.loss_curve_[-1] <= self.best_loss_ - self.tol
            )
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])
        if self.tol is None:
            return False
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        return self._no_improvement_count > self.n_iter_no_change

    def _loss_and_accuracy(self, X, y, sample_weight):
        """Mean loss and accuracy on encoded targets (the validation set)."""
        Z = self._logits(X, check_input=False)
        if self.out_activation_ == "softmax":
            correct = np.argmax(Z, axis=1) == y
        else:
            correct = ((Z > 0) == (y > 0.5)).all(axis=1)
        P = ACTIVATIONS[self.out_activation_](Z)
        if sample_weight is None:
            return LOSSES[self.out_activation_](y, P) / y.shape[0], correct.mean()
        return (
            LOSSES[self.out_activation_](y, P, sample_weight) / sample_weight.sum(),
            np.average(correct, weights=sample_weight),
        )

    def _fit_lbfgs(self, X, y, sample_weight, layer_units, callback_ctx):
        """Full-batch training with scipy's L-BFGS-B on the flat parameter vector."""
        n_samples = X.shape[0]
        scale, l2 = self._loss_weights(sample_weight)
        buffers = _Buffers(
            n_samples, layer_units, X.dtype, sparse.issparse(X), gather=False
        )

        def loss_and_grad(packed):
            self._flat_params[...] = packed
            loss = self._backprop(X, y, scale, l2, buffers)
            return loss / n_samples, buffers.flat_grad.astype(np.float64)

        losses = []

        def on_iteration(intermediate_result):
            losses.append(float(intermediate_result.fun))
            epoch_ctx = callback_ctx.subcontext(task_name="lbfgs iteration")
            epoch_ctx.call_on_fit_task_begin(estimator=self, X=X, y=y)
            if self.verbose:
                print(f"Iteration {len(losses)}, loss = {losses[-1]:.8f}")
            if epoch_ctx.call_on_fit_task_end(
                estimator=self,
                X=X,
                y=y,
                reconstruction_attributes=self._reconstruction_attributes,
            ):
                raise StopIteration

        start = self._flat_params.copy()
        result = scipy.optimize.minimize(
            loss_and_grad,
            start.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=on_iteration,
            options={
                "maxfun": self.max_fun,
                "maxiter": self.epochs,
                "gtol": 0.0 if self.tol is None else self.tol,
            },
        )
        if result.status != 0:
            warnings.warn(
                f"L-BFGS stopped without converging after {result.nit} "
                f"iteration(s): {result.message}. Increase epochs (the iteration "
                f"limit, now {self.epochs}) or max_fun, or scale X.",
                ConvergenceWarning,
                stacklevel=5,
            )
        n_iter = result.nit
        self._flat_params[...] = result.x
        self._check_finite(result.fun, start)
        self.n_iter_ += n_iter
        self.loss_ = float(result.fun)
        self.loss_curve_.extend(losses)
        self.best_loss_ = min(self.best_loss_, self.loss_)

    def _print_progress(self, epoch, epochs, start_time):
        elapsed = time.perf_counter() - start_time
        line = (
            f"Epoch {epoch + 1}/{epochs}, loss = {self.loss_:.6f}, "
            f"time = {elapsed:.2f}s"
        )
        if self.validation_scores_:
            line += (
                f", validation loss = {self.validation_loss_curve_[-1]:.6f}, "
                f"validation accuracy = {self.validation_scores_[-1]:.4f}"
            )
        print(line, flush=True)

    def _reconstruction_attributes(self):
        """Return copies of the fitted state, for callbacks that predict mid-fit."""
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
            "n_iter_": self.n_iter_,
            "loss_curve_": list(self.loss_curve_),
        }

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _logits(self, X, check_input=True):
        """Run the network on X and return the output layer's pre-activation.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_outputs)
        """
        if check_input:
            check_is_fitted(self)
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                dtype=self.coefs_[0].dtype,
                reset=False,
            )
        hidden_activation = ACTIVATIONS[self.activation]
        A = X
        for i, (coef, intercept) in enumerate(zip(self.coefs_, self.intercepts_)):
            A = A @ coef
            A += intercept
            if i < self.n_layers_ - 2:
                hidden_activation(A)
        return A
