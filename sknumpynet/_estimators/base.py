"""The estimator shell that NumpyMLPClassifier and NumpyMLPRegressor share.

A fit flows one way: the shell validates the parameters, the data and the
weights, describes the network and the data to a loop of ``_training/``,
and commits the state that the loop returns. Nothing on the estimator changes
until training has succeeded: a failed fit leaves a fitted estimator
predicting exactly as before, and an unfitted one unfitted.

A subclass adds what is specific to its targets: ``_validate_targets``
(encode ``y``, decide the output activation), ``_target_weights`` (e.g. class
weights) and ``_score_logits`` (the held-out score of early stopping).

Under ``array_api_dispatch`` the network trains in the namespace of ``X`` and
on its device (scikit-learn's pattern: everything follows ``X``). Targets and
weights are checked and encoded on the host in NumPy, then moved to the
device once.
"""

from numbers import Integral
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from .._math.array_api import numpy_dtype, to_device
from .._math.network import Network, logits
from .._training.lbfgs import lbfgs
from .._training.minibatch import minibatch_epochs
from .._training.stack import Stack
from .._training.state import TrainingState, fitted_attributes, state_from_attributes
from .callbacks import CallbackSupportMixin, EstimatorHooks
from .namespaces import (
    check_float_dtype,
    check_input_namespace,
    input_namespace,
    to_host,
)
from .params import PARAMETER_CONSTRAINTS
from .validation_set import given_validation_set, split_validation_set

STOCHASTIC_SOLVERS = ("sgd", "adam")

# Set by scikit-learn's callback machinery during a fit; a rollback keeps them
# so that the machinery can still tear the callbacks down.
_CALLBACK_KEYS = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


class BaseNumpyMLP(CallbackSupportMixin, BaseEstimator):
    """Base of the estimators: parameters, validation, fit and commit.

    Not for direct use; see :class:`NumpyMLPClassifier`.
    """

    _parameter_constraints: dict = dict(PARAMETER_CONSTRAINTS)

    # The HTML repr links each estimator to its page of the API reference.
    _doc_link_module = "sknumpynet"
    _doc_link_template = (
        "https://sknumpynet.readthedocs.io/en/stable/api/generated/"
        "{estimator_module}.{estimator_name}.html"
    )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights. An integer weight acts as that many
            copies of the sample.

        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            A validation set of your choosing, scored after every epoch
            (L-BFGS: iteration) into ``validation_loss_curve_`` and
            ``validation_scores_``. With ``early_stopping=True`` it is the
            held-out set that decides when to stop and which epoch to keep,
            and no part of X is held out (``validation_fraction`` is unused).
            In a Pipeline, ``transform_input=["X_val"]`` passes it through
            the earlier steps.

        y_val : array-like of shape (n_val,) or (n_val, n_outputs), \
                default=None
            The targets of ``X_val``: classes seen in ``y`` only.

        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples in its loss and score.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            incremental=False,
            validation=(X_val, y_val, sample_weight_val),
        )

    def _check_stochastic_solver(self):
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic solvers "
                f"{STOCHASTIC_SOLVERS}; got solver={self.solver!r}."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags

    @property
    def _first_coef(self):
        # The array whose namespace and device the fitted network lives in.
        return self.coefs_[0]

    def _check_input_namespace(self, X, method):
        """Check that X is in the namespace and on the device of the weights."""
        check_input_namespace(self, X, method)

    # ------------------------------------------------------------------
    # Fit: validate, train a new state, commit
    # ------------------------------------------------------------------

    def _fit(
        self,
        X,
        y,
        sample_weight,
        *,
        incremental,
        classes=None,
        validation=(None, None, None),
    ):
        """Fit as a transaction: on any error, roll the estimator back."""
        before = dict(self.__dict__)
        try:
            return self._fit_transaction(
                X, y, sample_weight, incremental, classes, validation
            )
        except BaseException:
            callbacks = {
                k: self.__dict__[k] for k in _CALLBACK_KEYS if k in self.__dict__
            }
            self.__dict__.clear()
            self.__dict__.update(before, **callbacks)
            raise

    def _fit_transaction(self, X, y, sample_weight, incremental, classes, given):
        fit = self._prepare_fit(X, y, sample_weight, incremental, classes, given)
        X, y, sample_weight, state = fit.X, fit.y, fit.sample_weight, fit.state
        epochs = 1 if incremental else self.epochs
        context = self._init_callback_context(max_subtasks=epochs)
        metadata = {} if sample_weight is None else {"sample_weight": sample_weight}
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        hooks = EstimatorHooks(
            self,
            context,
            X,
            y,
            lambda state, copy: fitted_attributes(state, fit.targets, copy),
            fit.validation,
            fit.stops_early,
        )
        state.n_iter = state.n_iter if incremental else 0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver in STOCHASTIC_SOLVERS:
                stack = minibatch_epochs(
                    Stack.single(state, self.get_params()),
                    X,
                    y,
                    sample_weight,
                    epochs=epochs,
                    train_idx=fit.train_idx,
                    rng=fit.rng,
                    hooks=hooks,
                    incremental=incremental,
                )
                state = stack.fitted()
            else:
                state = lbfgs(
                    state, X, y, sample_weight, self.get_params(), hooks=hooks
                )

        # The commit: the only place where a fit changes fitted attributes.
        for name, value in fitted_attributes(state, fit.targets).items():
            setattr(self, name, value)
        context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        return self

    def _prepare_fit(self, X, y, sample_weight, incremental, classes, given):
        """Validate a fit's data and draw its network; train nothing.

        Returns
        -------
        fit : SimpleNamespace
            ``X``, ``y`` (encoded) and ``sample_weight`` (with the targets'
            weights) in the namespace and on the device to train in; the
            ``targets`` description, the initial ``state``, the ``rng`` after
            the draws, ``train_idx`` and the ``validation`` set, and whether
            the fit ``stops_early``.
        """
        hidden = self._check_params()
        warm = hasattr(self, "coefs_") and (incremental or self.warm_start)
        X, y, sample_weight, targets = self._check_fit_data(
            X, y, sample_weight, warm, incremental, classes
        )
        # Everything follows X: the namespace and device to train in.
        xp, device = input_namespace(X)
        rng = check_random_state(self.random_state)
        layer_units = [X.shape[1], *hidden, targets["n_outputs"]]
        if warm:
            state = self._saved_state(layer_units, targets)
        else:
            network = Network.initialize(
                layer_units,
                self.activation,
                targets["out_activation"],
                X.dtype,
                rng,
                xp,
                device,
            )
            state = TrainingState(network)
        stochastic = self.solver in STOCHASTIC_SOLVERS
        stops_early = stochastic and self.early_stopping and not incremental
        train_idx = np.arange(X.shape[0])
        validation = given_validation_set(self, *given, X, targets, xp, device)
        if validation is None and stops_early:
            # Split on the host (duplicate rows are found there), gather on
            # the device.
            train_idx, validation = split_validation_set(self, X, y, sample_weight, rng)
        if validation is not None and state.validation_scores is None:
            state.validation_scores, state.validation_loss_curve = [], []
        y, sample_weight = (to_device(a, xp, device) for a in (y, sample_weight))
        return SimpleNamespace(
            X=X,
            y=y,
            sample_weight=sample_weight,
            targets=targets,
            state=state,
            rng=rng,
            train_idx=train_idx,
            validation=validation,
            stops_early=stops_early,
        )

    def _check_fit_data(self, X, y, sample_weight, warm, incremental, classes):
        """Check X (in its namespace), encode y and weigh the samples (on the host).

        Returns X in the dtype to train in, the encoded y, the sample weights
        with the targets' own (None if all 1) and the targets' description.
        """
        method = "partial_fit" if incremental else "fit"
        if warm:
            self._check_input_namespace(X, method)
        xp, device = input_namespace(X)
        y, sample_weight, classes = map(to_host, (y, sample_weight, classes))
        if warm:
            dtype = self.coefs_[0].dtype
        elif self.dtype is None:
            dtype = (xp.float64, xp.float32)
        else:
            dtype = getattr(xp, np.dtype(self.dtype).name)
            check_float_dtype(xp, device, dtype)
        # validate_data sets n_features_in_ (and feature_names_in_) on a new
        # fit; the rollback in _fit undoes that if anything later fails.
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=dtype,
            multi_output=True,
            reset=not warm,
        )
        host_dtype = numpy_dtype(X.dtype)
        y, targets = self._validate_targets(
            y, dtype=host_dtype, warm=warm, incremental=incremental, classes=classes
        )
        sample_weight = self._check_weights(
            sample_weight, X.shape[0], y, targets, incremental, host_dtype
        )
        return X, y, sample_weight, targets

    def _check_params(self):
        """Check what the parameter constraints cannot; return the hidden sizes."""
        hidden = np.atleast_1d(self.hidden_layer_sizes).tolist()
        if any(not isinstance(n, Integral) or n < 1 for n in hidden):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        if self.solver == "lbfgs" and self.dropout > 0:
            raise ValueError(
                "dropout needs a stochastic solver ('sgd' or 'adam'); L-BFGS "
                "minimises a fixed full-batch loss. Set dropout=0 or change solver."
            )
        return hidden

    def _check_weights(self, sample_weight, n_samples, y, targets, incremental, dtype):
        """Validate sample_weight, combined with the target weights; None if all 1.

        On the host, in NumPy arrays of ``dtype``, whatever the namespace of X.
        """
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight,
                np.empty((n_samples, 0)),  # stands for X: only its length counts
                dtype=dtype,
                ensure_non_negative=True,
            )
        sample_weight = self._target_weights(
            sample_weight, y, targets, incremental=incremental, dtype=dtype
        )
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError(
                "The sample weights sum to zero: there is nothing to learn from. "
                "Give at least one sample a positive weight."
            )
        return sample_weight

    def _target_weights(self, sample_weight, y, targets, *, incremental, dtype):
        """Weights that the targets add to sample_weight; none by default."""
        return sample_weight

    def _saved_state(self, layer_units, targets):
        """Return a copy of the fitted state to continue training from."""
        trained = [self.n_features_in_] + [c.shape[1] for c in self.coefs_]
        if trained != layer_units:
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} does not match "
                f"the trained network's layers {trained[1:-1]}; set "
                "warm_start=False to train a new network."
            )
        network = Network.from_weights(
            self.coefs_, self.intercepts_, self.activation, targets["out_activation"]
        )
        return state_from_attributes(network, self)

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _logits(self, X, method):
        """Validate X and return the output layer's pre-activation.

        Returns
        -------
        Z : array of shape (n_samples, n_outputs)
            In the namespace and on the device of the fitted weights (and X).
        """
        check_is_fitted(self)
        self._check_input_namespace(X, method)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=self.coefs_[0].dtype,
            reset=False,
            # Checked on the first layer's product instead: a pass less over X.
            ensure_all_finite=False,
        )
        return logits(
            X, self.coefs_, self.intercepts_, self.activation, check_finite=True
        )
