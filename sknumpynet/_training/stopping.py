"""When training stops: divergence, and no progress for ``n_iter_no_change`` epochs.

Shared by the minibatch loop (``minibatch.py``) and L-BFGS (``lbfgs.py``):
the divergence test of an epoch's loss and weights, and the bookkeeping of
``tol`` and ``n_iter_no_change`` over the training loss or, with early
stopping, the held-out loss and score, as scikit-learn's MLP keeps them.
"""

import numpy as np

# An epoch whose mean loss exceeds this many times the loss the fit started
# from (or 1, whichever is larger) has diverged, even while it is finite.
DIVERGENCE_FACTOR = 100.0


class TrainingDiverged(ValueError):
    """Training blew up; the estimator is left as it was before the call.

    Raised by ``fit`` and ``partial_fit`` when the loss of an epoch becomes
    NaN or infinite, or exceeds 100 times the loss the fit started from, or
    when the weights stop being finite. Its message names the epoch and the
    loss and says what to change (a smaller ``alpha``, scaled features). A
    subclass of ``ValueError``, so ``GridSearchCV`` scores such a candidate
    with ``error_score``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpynet import NumpyMLPClassifier, TrainingDiverged
    >>> X = np.random.RandomState(0).normal(size=(50, 3)) * 1e3
    >>> y = np.arange(50) % 2
    >>> try:
    ...     NumpyMLPClassifier(alpha=1e6, random_state=0).fit(X, y)
    ... except TrainingDiverged as exc:
    ...     print(str(exc)[:28])
    Training diverged in epoch 1
    """


def check_diverged(loss, limit, params, epoch, weights_finite=True):
    """Raise TrainingDiverged when the loss or the weights have blown up."""
    if np.isfinite(loss) and loss <= limit and weights_finite:
        return
    if params["solver"] == "lbfgs":
        advice = (
            "The features are probably badly scaled: scale X, e.g. with a "
            "StandardScaler in a Pipeline."
        )
    else:
        alpha = params["alpha"]
        advice = (
            f"The learning rate alpha={alpha} is too large for this data, or the "
            f"features are badly scaled. Lower alpha (e.g. alpha={alpha / 10:g}) "
            "or scale X, e.g. with a MinMaxScaler or StandardScaler in a Pipeline."
        )
    start = "" if np.isinf(limit) else f", from {limit / DIVERGENCE_FACTOR:.4g}"
    raise TrainingDiverged(
        f"Training diverged in epoch {epoch}: the loss became {loss:.4g}{start}. "
        f"{advice} The estimator was left as it was before this call."
    )


def record_validation(state, hooks):
    """Score the held-out set; append to the validation curves.

    Returns
    -------
    loss, score : float
        The held-out loss (without the penalty) and score of this epoch.
    lowest, highest : float
        The lowest held-out loss and the highest score of the epochs before.
    """
    lowest = state.best_validation_loss
    lowest = np.inf if lowest is None else lowest
    highest = max(state.validation_scores, default=-np.inf)
    loss, score = map(float, hooks.validate(state.network))
    state.validation_loss_curve.append(loss)
    state.validation_scores.append(score)
    if loss < lowest:
        state.best_validation_loss, state.best_validation_score = loss, score
    return loss, score, lowest, highest


def track_progress(state, params, hooks, best_flat):
    """Record the epoch's validation and training loss; True when it is time to stop.

    An epoch counts as progress when it lowers the training loss by ``tol``
    or, with early stopping, raises the validation score or lowers the
    validation loss by ``tol``: the score alone saturates. With early
    stopping the best epoch is the one of lowest validation loss, whose
    weights go to ``best_flat``.
    """
    tol = params["tol"]
    if hooks.validates:
        val_loss, val_score, lowest, highest = record_validation(state, hooks)
    if hooks.stops_early:
        improved = tol is not None and (
            val_score >= highest + tol or val_loss <= lowest - tol
        )
        if val_loss < lowest:
            best_flat[...] = state.network.flat
    else:
        best = np.inf if state.best_loss is None else state.best_loss
        improved = tol is not None and state.loss <= best - tol
        state.best_loss = min(best, state.loss)
    if tol is None:
        return False
    state.no_improvement_count = 0 if improved else state.no_improvement_count + 1
    return state.no_improvement_count > params["n_iter_no_change"]


def stop_without_progress(state, params, hooks, optimizer, member=None):
    """After ``n_iter_no_change`` epochs without progress: True to stop.

    The adaptive schedule divides its step (of network ``member`` of a
    stack) instead, and training goes on.
    """
    msg = (
        f"{'Validation score' if hooks.stops_early else 'Training loss'} did "
        f"not improve more than tol={params['tol']} for "
        f"{params['n_iter_no_change']} consecutive epochs."
    )
    if optimizer.trigger_stopping(msg, params["verbose"], member):
        return True
    state.no_improvement_count = 0
    return False
