"""One group of a search on one fold: its networks side by side, along epochs.

:func:`fit_path` trains every *member* of a group (the candidates' settings
that share one stack, see ``_training.stack.STACKABLE``) as one stack and
takes a fitted estimator of each member at every epoch count asked of it:
the model that ``fit`` with ``epochs=e`` returns, since a fit's trajectory
does not depend on how many epochs it will run (its schedules count the
samples seen). With early stopping that is the best epoch so far; after a
convergence stop, the stopped model; after a divergence, the error that
``fit`` raises. A member leaves the stack once its last count is taken, so
that it costs nothing after (a randomized search's candidates each want
their own epochs).

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
    """Scores the held-out set as a fit does; takes the models at the checkpoints.

    ``rows[i]`` is the member that row ``i`` of the current stack trains.
    """

    def __init__(self, estimator, fit, members, checkpoints):
        super().__init__(
            estimator, None, fit.X, fit.y, None, fit.validation, fit.stops_early
        )
        self.fit, self.members, self.checkpoints = fit, members, checkpoints
        self.models = [{} for _ in members]
        self.times = {}
        self.start = time.perf_counter()

    def follow(self, stack, rows):
        """Watch ``stack``, whose row ``i`` trains member ``rows[i]``."""
        self.stack, self.rows = stack, rows

    def epoch_begin(self):
        pass

    def epoch_end(self, state):
        self.take(self.stack.epochs_done)
        return False

    def take(self, epochs, upto=None):
        """Keep each member's model (or failure) at ``epochs`` (to ``upto``) as fit's.

        A model at more epochs than the stack trained (all its networks had
        stopped) is the stopped one, as ``fit`` returns it.
        """
        stack = self.stack
        wanted = range(epochs, (epochs if upto is None else upto) + 1)
        for i, j in enumerate(self.rows):
            for e in (e for e in self.checkpoints[j] if e in wanted):
                self.times.setdefault(e, time.perf_counter() - self.start)
                self.models[j][e] = self._model(stack, i, j, e)

    def _model(self, stack, i, j, epochs):
        if stack.failures[i] is not None:
            return stack.failures[i]
        weights = stack.network.flat if stack.best_flat is None else stack.best_flat
        layers = stack.network
        network = Network(
            layers.layer_units,
            layers.activation,
            layers.out_activation,
            copy_array(weights[i, ...]),
        )
        state = replace(stack.members[i], network=network, optimizer=None)
        model = clone(self.estimator).set_params(**self.members[j], epochs=epochs)
        for name, value in fitted_attributes(state, self.fit.targets).items():
            setattr(model, name, value)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator, name):
                setattr(model, name, getattr(self.estimator, name))
        return model


def fit_path(estimator, members, checkpoints, X, y, fit_params, resume=None):
    """Train the members side by side; return their models at the checkpoints.

    Parameters
    ----------
    estimator : NumpyMLPClassifier or NumpyMLPRegressor
        Unfitted, with the group's parameters.
    members : list of dict
        Each member's stackable parameters (see ``_training.stack.STACKABLE``).
    checkpoints : list of int, or list of list of int
        The epoch counts to take the models at: the same for every member,
        or each member's own.
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
        The stack after its last epoch (the members of the largest count),
        to go on from.
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
    if all(isinstance(c, (int, np.integer)) for c in checkpoints):
        checkpoints = [checkpoints] * len(members)
    checkpoints = [sorted(set(c)) for c in checkpoints]
    # A member's parameters are the group's, with its own stackable ones: a
    # parameter it does not set keeps the estimator's value (not another
    # member's).
    estimator = clone(estimator).set_params(epochs=max(map(max, checkpoints)))
    for member in members:
        clone(estimator).set_params(**member)._validate_params()
    fit = estimator._prepare_fit(X, y, sample_weight, False, None, given)
    base = estimator.get_params()
    params = [dict(base, **member) for member in members]
    rows = _rows_in(resume, params, min(map(min, checkpoints)))
    if rows is None:
        stack = Stack.side_by_side(fit.state, params)
    else:
        stack, rng_state = Stack.restore(resume, rows, type(fit.state))
        fit.rng.set_state(rng_state)
    hooks = _PathHooks(estimator, fit, members, checkpoints)
    stack = _train_in_segments(stack, fit, hooks, checkpoints)
    return hooks.models, hooks.times, stack.saved(fit.rng)


def _train_in_segments(stack, fit, hooks, checkpoints):
    """Train to each member's last checkpoint in turn, shedding the members done.

    Returns the last stack: the members of the largest count.
    """
    rows = list(range(len(checkpoints)))
    hooks.follow(stack, rows)
    hooks.take(stack.epochs_done)  # a resumed stack may stand at a checkpoint
    for end in sorted({c[-1] for c in checkpoints}):
        if stack.active.any() and end > stack.epochs_done:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                minibatch_epochs(
                    stack,
                    fit.X,
                    fit.y,
                    fit.sample_weight,
                    epochs=end - stack.epochs_done,
                    train_idx=fit.train_idx,
                    rng=fit.rng,
                    hooks=hooks,
                    incremental=False,
                )
        # The networks that stopped before the end: their stopped models.
        hooks.take(stack.epochs_done + 1, upto=end)
        keep = [i for i, j in enumerate(rows) if checkpoints[j][-1] > end]
        if keep and len(keep) < len(rows):
            stack, rng_state = Stack.restore(
                stack.saved(fit.rng), keep, type(stack.members[0])
            )
            fit.rng.set_state(rng_state)
            rows = [rows[i] for i in keep]
            hooks.follow(stack, rows)
    return stack


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
