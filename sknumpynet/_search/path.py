"""One group of a grid search on one fold: its networks side by side, along epochs.

:func:`fit_path` trains every *member* of a group (the candidates' settings
that share one stack, see ``_training.stack.STACKABLE``) once, as one stack, up to the
largest epoch count asked for, and takes a fitted estimator of each member
at every count asked for: the model that ``fit`` with ``epochs=e`` returns,
since a fit's trajectory does not depend on how many epochs it will run (its
schedules count the samples seen). With early stopping that is the best
epoch so far; after a convergence stop, the stopped model; after a
divergence, the error that ``fit`` raises.

The estimator validates the data, draws the network and splits off the
held-out set exactly as its ``fit`` does (``_prepare_fit``); the loop is the
one every fit runs (``_training.minibatch_epochs``).
"""

import time
from dataclasses import replace

import numpy as np
from sklearn.base import clone

from .._estimators.callbacks import EstimatorHooks
from .._math.array_api import copy_array
from .._math.network import Network
from .._training.minibatch import minibatch_epochs
from .._training.stack import Stack
from .._training.state import fitted_attributes


class _PathHooks(EstimatorHooks):
    """Scores the held-out set as a fit does; takes the models at the checkpoints."""

    def __init__(self, estimator, fit, stack, members, checkpoints):
        super().__init__(
            estimator, None, fit.X, fit.y, None, fit.validation, fit.stops_early
        )
        self.fit, self.stack, self.members = fit, stack, members
        self.checkpoints = sorted(set(checkpoints))
        self.models = [{} for _ in members]
        self.times = {}
        self.start = time.perf_counter()

    def epoch_begin(self):
        pass

    def epoch_end(self, state):
        if self.stack.epochs_done in self.checkpoints:
            self.take(self.stack.epochs_done)
        return False

    def take(self, epochs):
        """Keep each member's model (or its failure) as ``fit(epochs=epochs)``'s."""
        stack = self.stack
        self.times[epochs] = time.perf_counter() - self.start
        for j, member in enumerate(self.members):
            if stack.failures[j] is not None:
                self.models[j][epochs] = stack.failures[j]
                continue
            weights = stack.network.flat if stack.best_flat is None else stack.best_flat
            layers = stack.network
            network = Network(
                layers.layer_units,
                layers.activation,
                layers.out_activation,
                copy_array(weights[j, ...]),
            )
            state = replace(stack.members[j], network=network, optimizer=None)
            model = clone(self.estimator).set_params(**member, epochs=epochs)
            for name, value in fitted_attributes(state, self.fit.targets).items():
                setattr(model, name, value)
            for name in ("n_features_in_", "feature_names_in_"):
                if hasattr(self.estimator, name):
                    setattr(model, name, getattr(self.estimator, name))
            self.models[j][epochs] = model

    def finish(self):
        """Take the checkpoints past the last epoch trained (all members stopped)."""
        for epochs in self.checkpoints:
            if epochs not in self.times:
                self.take(epochs)


def fit_path(estimator, members, checkpoints, X, y, fit_params, resume=None):
    """Train the members side by side; return their models at the checkpoints.

    Parameters
    ----------
    estimator : NumpyMLPClassifier or NumpyMLPRegressor
        Unfitted, with the group's parameters.
    members : list of dict
        Each member's stackable parameters (see ``_training.stack.STACKABLE``).
    checkpoints : list of int
        The epoch counts to take each member's model at.
    X, y : the training data of the fold
    fit_params : dict
        ``sample_weight``, ``X_val``, ``y_val``, ``sample_weight_val``.
    resume : StackState or None
        The stack an earlier call saved on the same fold (the round before,
        in a halving search). When it holds every member, at no more epochs
        than the first checkpoint, they go on from where they stopped
        instead of training afresh: the same models, fewer epochs.

    Returns
    -------
    models : list of dict
        ``models[j][e]``: member j's fitted estimator after ``e`` epochs, or
        the exception its fit would raise.
    times : dict
        Seconds of training (of the whole stack) to each checkpoint.
    saved : StackState
        The stack after its last epoch, to go on from.
    """
    fit_params = dict(fit_params)
    sample_weight = fit_params.pop("sample_weight", None)
    given = tuple(
        fit_params.pop(key, None) for key in ("X_val", "y_val", "sample_weight_val")
    )
    if fit_params:
        raise TypeError(
            f"{type(estimator).__name__}.fit got unexpected parameters "
            f"{sorted(fit_params)}."
        )
    epochs = max(checkpoints)
    # A member's parameters are the group's, with its own stackable ones: a
    # parameter it does not set keeps the estimator's value (not another
    # member's).
    estimator = clone(estimator).set_params(epochs=epochs)
    for member in members:
        clone(estimator).set_params(**member)._validate_params()
    fit = estimator._prepare_fit(X, y, sample_weight, False, None, given)
    base = estimator.get_params()
    params = [dict(base, **member) for member in members]
    rows = _rows_in(resume, params, min(checkpoints))
    if rows is None:
        stack = Stack.side_by_side(fit.state, params)
    else:
        stack, rng_state = Stack.restore(resume, rows, type(fit.state))
        fit.rng.set_state(rng_state)
    hooks = _PathHooks(estimator, fit, stack, members, checkpoints)
    if stack.active.any() and epochs > stack.epochs_done:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            minibatch_epochs(
                stack,
                fit.X,
                fit.y,
                fit.sample_weight,
                epochs=epochs - stack.epochs_done,
                train_idx=fit.train_idx,
                rng=fit.rng,
                hooks=hooks,
                incremental=False,
            )
    hooks.finish()
    return hooks.models, hooks.times, stack.saved(fit.rng)


def _rows_in(saved, params, first_checkpoint):
    """Where each of ``params`` is in a saved stack; None if it cannot go on."""
    if saved is None or saved.epochs_done > first_checkpoint:
        return None
    keys = [_without_epochs(p) for p in saved.params]
    try:
        return [keys.index(_without_epochs(p)) for p in params]
    except ValueError:
        return None


def _without_epochs(params):
    return {k: v for k, v in params.items() if k != "epochs"}
