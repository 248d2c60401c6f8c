"""The minibatch loop (sgd, adam); the L-BFGS driver is in ``lbfgs.py``.

Both work on a :class:`~sknumpynet._training.state.TrainingState` (the
network, the optimizer's state, the curves and counters) and return it; they
never see the estimator. What they need from it comes in plain form: the
estimator's parameters as a dict, the data already validated and encoded,
and a :class:`~sknumpynet._training.state.Hooks` object through which the
estimator is told of each epoch (callbacks) and scores the held-out set.

The data and the network may live in any array-API namespace and on any
device (see ``_math/array_api.py``). The random draws stay on the host, in
the same NumPy stream for every namespace, and move to the device once per
epoch; the loss stays on the device until the end of the epoch, where it is
read once.
"""

import time

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from .._math.array_api import copy_array, namespace_of, take_rows
from .._math.layout import Workspace
from .._math.targets import Targets
from .epoch import Epoch
from .optimizers import make_optimizer, optimizer_settings, optimizer_state
from .stack import check_members_diverged, record_member_epochs, stop_members
from .state import warn_caller


def objective_weights(sample_weight, l2, train_idx=slice(None)):
    """Return the per-sample loss scale and the L2 strength to train with.

    Sample weights are divided by their mean over the training samples, and
    so is the L2 penalty. The objective of a batch is then
    ``(sum(w * loss) + l2 / 2 * ||W||^2) / (n * mean(w))``, which is the same
    for integer weights as for repeated rows. Without a penalty (``l2=0``
    for every network) the strength is None, and backpropagation skips it.
    """
    if not np.any(l2):
        l2 = None
    if sample_weight is None:
        return None, l2
    xp = namespace_of(sample_weight)[0]
    if xp is np:
        mean = sample_weight[train_idx].mean()
    else:  # one read from the device per fit
        mean = float(xp.mean(take_rows(sample_weight, train_idx)))
    return sample_weight / mean, None if l2 is None else l2 / mean


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
        else float(network.xp.sum(take_rows(sample_weight, train_idx)))
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
        One network (a fit) or k side by side (see ``stack.py``); trained
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
        Trained: its networks as after their last epoch (with early stopping,
        :meth:`Stack.keep_best` takes each one's best), and what a later call
        goes on from (``optimizer_state``, ``limit``).
    """
    network, settings = stack.network, stack.settings
    optimizer_args = optimizer_settings(settings)
    optimizer = make_optimizer(optimizer_args, [network.flat], stack.optimizer_state)
    run, n_seen = _epoch_runner(stack, X, y, sample_weight, train_idx, optimizer)
    if hooks.stops_early and stack.best_flat is None:
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
            warn_caller(
                f"Training interrupted by the user during epoch {done + 1}; "
                f"kept the weights of the {stack.epochs_done} epoch(s) completed.",
                UserWarning,
            )
            break
    else:
        if not incremental and settings["tol"] is not None:
            warn_caller(
                f"{stack.epochs_done} epochs reached and the optimization hasn't "
                "converged yet. Increase epochs, or set tol=None to always run "
                "exactly `epochs` epochs.",
                ConvergenceWarning,
            )
    # What a later call goes on from (warm_start, partial_fit, the next round
    # of a halving search); the caller keeps the best epoch if it wants it.
    stack.optimizer_state = optimizer_state(optimizer_args, optimizer)
    stack.limit = run.limit
    return stack
