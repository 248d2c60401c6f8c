"""The minibatch loop (sgd, adam); the L-BFGS driver is in ``_lbfgs.py``.

Both work on a :class:`TrainingState` (the network, the optimizer's state, the
curves and counters) and return it; they never see the estimator. What they
need from it comes in plain form: the estimator's parameters as a dict, the
data already validated and encoded, and a :class:`Hooks` object through which
the estimator is told of each epoch (callbacks) and scores the held-out set.

The data and the network may live in any array-API namespace and on any
device (see ``_array_api.py``). The random draws stay on the host, in the
same NumPy stream for every namespace, and move to the device once per
epoch; the loss stays on the device until the end of the epoch, where it is
read once.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from ._array_api import (
    copy_array,
    namespace_of,
    to_device,
)
from ._epoch import Epoch
from ._network import Workspace
from ._optimizers import make_optimizer, optimizer_settings, optimizer_state
from ._stack import check_members_diverged, record_member_epochs, stop_members
from ._targets import Targets


@dataclass
class TrainingState:
    """Everything training changes; committed to the estimator on success.

    A fit starts from a new state, or from one built afresh from the fitted
    attributes (warm_start, partial_fit), so the estimator's own arrays are
    never trained in place.

    ``n_iter`` counts the epochs (L-BFGS: iterations) of the current call;
    ``loss_curve`` and ``t`` (samples seen) run on across warm starts.
    """

    network: object
    optimizer: dict | None = None
    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list = field(default_factory=list)
    best_loss: float | None = None
    no_improvement_count: int = 0
    validation_scores: list | None = None
    validation_loss_curve: list | None = None
    best_validation_loss: float | None = None
    best_validation_score: float | None = None


# TrainingState field -> fitted attribute of the estimator.
STATE_ATTRIBUTES = {
    "optimizer": "_optimizer_state",
    "n_iter": "n_iter_",
    "t": "t_",
    "loss": "loss_",
    "loss_curve": "loss_curve_",
    "best_loss": "best_loss_",
    "no_improvement_count": "_no_improvement_count",
    "validation_scores": "validation_scores_",
    "validation_loss_curve": "validation_loss_curve_",
    "best_validation_loss": "best_validation_loss_",
    "best_validation_score": "best_validation_score_",
}


def _copy(value):
    """Copy a list, so that the committed curves and the state never share one."""
    return list(value) if isinstance(value, list) else value


def state_from_attributes(network, estimator):
    """Return a state that goes on from an estimator's fitted attributes (copies)."""
    # Models saved by older versions lack some attributes: use the defaults.
    return TrainingState(
        network,
        **{
            name: _copy(
                getattr(estimator, attribute, getattr(TrainingState, name, None))
            )
            for name, attribute in STATE_ATTRIBUTES.items()
        },
    )


def fitted_attributes(state, targets, copy=False):
    """Return the attributes a fit commits, from a training state.

    With ``copy``, a snapshot for callbacks that predict in mid-fit.
    """
    network = state.network.copy() if copy else state.network
    attributes = {key: value for key, value in targets.items() if key.endswith("_")}
    attributes.update(
        coefs_=network.coefs,
        intercepts_=network.intercepts,
        n_layers_=len(network.layer_units),
        n_outputs_=network.layer_units[-1],
        out_activation_=network.out_activation,
    )
    for name, attribute in STATE_ATTRIBUTES.items():
        attributes[attribute] = _copy(getattr(state, name))
    return attributes


class Hooks:
    """How a loop reports to the estimator; this base reports to no one.

    ``validates`` says whether ``validate(network)`` scores a held-out set
    after each epoch: it returns ``(loss, score)``, higher scores better.
    ``stops_early`` says whether that set also decides when to stop and
    which epoch to keep (early stopping). ``epoch_end(state)`` returns True
    to stop training.
    """

    validates = stops_early = False

    def epoch_begin(self):
        """Report that an epoch (L-BFGS: an iteration) starts."""

    def epoch_end(self, state):
        """Report that an epoch has ended; return True to stop training."""
        return False

    def validate(self, network):
        """Return the held-out ``(loss, score)`` of the network."""
        raise NotImplementedError


def objective_weights(sample_weight, l2, train_idx=slice(None)):
    """Return the per-sample loss scale and the L2 strength to train with.

    Sample weights are divided by their mean over the training samples, and
    so is the L2 penalty. The objective of a batch is then
    ``(sum(w * loss) + l2 / 2 * ||W||^2) / (n * mean(w))``, which is the same
    for integer weights as for repeated rows.
    """
    if sample_weight is None:
        return None, l2
    xp = namespace_of(sample_weight)[0]
    if xp is np:
        mean = sample_weight[train_idx].mean()
    else:  # one read from the device per fit
        mean = float(xp.mean(_rows(sample_weight, train_idx)))
    return sample_weight / mean, l2 / mean


def _rows(A, idx):
    """Rows ``idx`` (NumPy indices or a slice) of an array of any namespace."""
    xp, device = namespace_of(A)
    if xp is np or isinstance(idx, slice):
        return A[idx]
    return xp.take(A, to_device(idx, xp, device), axis=0)


def _print_epoch(state, epochs, start_time, member=None):
    line = (
        f"Epoch {state.n_iter}/{epochs}, loss = {state.loss:.6f}, "
        f"time = {time.perf_counter() - start_time:.2f}s"
    )
    if member is not None:
        line = f"Network {member}: {line}"
    if state.validation_scores:
        line += (
            f", validation loss = {state.validation_loss_curve[-1]:.6f}, "
            f"validation score = {state.validation_scores[-1]:.4f}"
        )
    print(line, flush=True)


def work_arrays(network, X, n_samples, batch_size, gather=True):
    """Return the Workspace and the Targets of training on ``n_samples`` of X."""
    xp, device = network.xp, network.device
    workspace = Workspace(
        batch_size,
        network.layer_units,
        X.dtype,
        sparse.issparse(X),
        gather=gather,
        xp=xp,
        device=device,
        stack=network.stack,
    )
    targets = Targets(
        network.out_activation,
        network.layer_units[-1],
        n_samples,
        batch_size,
        X.dtype,
        xp,
        device,
        stack=network.stack,
    )
    return workspace, targets


def _epoch_runner(stack, X, y, sample_weight, train_idx, optimizer):
    """Return the runner of an epoch's minibatches, and the samples an epoch sees."""
    network, settings = stack.network, stack.settings
    scale, l2 = objective_weights(sample_weight, settings["l2"], train_idx)
    n_train = train_idx.shape[0]
    # Samples seen per epoch, each counted by its weight: an integer weight
    # acts as repeated rows in the 'invscaling' schedule too.
    n_seen = (
        n_train
        if sample_weight is None
        else float(network.xp.sum(_rows(sample_weight, train_idx)))
    )
    batch_size = min(settings["batch_size"], n_train)
    workspace, targets = work_arrays(network, X, n_train, batch_size)
    # Batch bounds, computed once (array-API slices may not run past the end).
    batches = [
        (start, min(start + batch_size, n_train))
        for start in range(0, n_train, batch_size)
    ]
    run = Epoch(stack, X, y, scale, l2, targets, workspace, optimizer, batches)
    return run, n_seen


def _end_epoch(stack, losses, n_seen, hooks, optimizer, print_epoch):
    """Check, record and report an epoch's losses; return True to stop training."""
    losses = check_members_diverged(stack, *losses, optimizer)
    # From here the epoch counts as completed: Ctrl-C in what follows (a
    # callback scoring a test set, say) keeps its weights.
    stack.epochs_done += 1
    stopping, t = record_member_epochs(stack, losses, n_seen, hooks, print_epoch)
    if t is not None:
        optimizer.iteration_ends(t)
    if hooks.epoch_end(stack.members[0]):
        return True
    stop_members(stack, stopping, hooks, optimizer)
    return not stack.active.any()


def minibatch_epochs(
    stack, X, y, sample_weight, *, epochs, train_idx, rng, hooks, incremental
):
    """Train a stack by minibatch 'sgd' or 'adam' for up to ``epochs`` epochs.

    Parameters
    ----------
    stack : Stack
        One network (a fit) or k side by side (see ``_stack.py``); trained
        in place and returned.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Encoded targets.
    sample_weight : ndarray of shape (n_samples,) or None
    epochs : int
        The number of epochs to run at most.
    train_idx : ndarray of int
        The rows to train on (the others are held out for early stopping).
    rng : numpy.random.RandomState
        The source of the shuffling and the dropout masks.
    hooks : Hooks
    incremental : bool
        Whether this is one ``partial_fit`` epoch (no ConvergenceWarning).

    Returns
    -------
    stack : Stack
    """
    network, settings = stack.network, stack.settings
    optimizer_args = optimizer_settings(settings)
    resumed = None if stack.stacked else stack.members[0].optimizer
    optimizer = make_optimizer(optimizer_args, [network.flat], resumed)
    run, n_seen = _epoch_runner(stack, X, y, sample_weight, train_idx, optimizer)
    if hooks.stops_early:
        stack.best_flat = copy_array(network.flat)
    start_time = time.perf_counter()

    def print_epoch(state, member):
        _print_epoch(state, epochs, start_time, member)

    for _ in range(epochs):
        hooks.epoch_begin()
        checkpoint = copy_array(network.flat), optimizer.state_dict()
        done = stack.epochs_done
        try:
            losses = run(
                rng.permutation(train_idx) if settings["shuffle"] else train_idx, rng
            )
            if _end_epoch(stack, losses, n_seen, hooks, optimizer, print_epoch):
                break
        except KeyboardInterrupt:
            if stack.stacked:  # a search stops, as GridSearchCV does
                raise
            if stack.epochs_done == done:  # the epoch had not ended
                network.flat[...] = checkpoint[0]
                optimizer.load_state(checkpoint[1])
            warnings.warn(
                f"Training interrupted by the user during epoch {done + 1}; "
                f"kept the weights of the {stack.epochs_done} epoch(s) completed.",
                UserWarning,
                stacklevel=6,
            )
            break
    else:
        if not incremental and settings["tol"] is not None:
            warnings.warn(
                f"{epochs} epochs reached and the optimization hasn't converged "
                "yet. Increase epochs, or set tol=None to always run exactly "
                "`epochs` epochs.",
                ConvergenceWarning,
                stacklevel=6,
            )
    if stack.best_flat is not None:
        network.flat[...] = stack.best_flat
    if not stack.stacked:
        stack.members[0].optimizer = optimizer_state(optimizer_args, optimizer)
    return stack
