"""k networks of one shape, trained side by side, each with its own training state.

The minibatch loop trains a :class:`Stack`: one network (a fit) or k networks
whose parameters form one array of shape ``(k, n_params)`` (the grid
search's candidates that differ only in their step sizes or penalty). They
see the same minibatches in the same order, so a batch is gathered once and
each layer is one stacked product. Everything that is not arithmetic stays
per network: each member has its own :class:`~sknumpynet._training.state.TrainingState`
(its loss curve, its convergence and early-stopping bookkeeping), its own
settings, and its own end. A member that converges or diverges is *frozen*:
its steps become 0 (a diverged one's weights are zeroed, so that it computes
nothing non-finite), and the others go on.
"""

from dataclasses import dataclass, fields

import numpy as np

from .._math.array_api import copy_array, take_rows
from .._math.network import Network
from .optimizers import state_rows
from .stopping import (
    TrainingDiverged,
    check_diverged,
    stop_without_progress,
    track_progress,
)

# The parameters that may differ between the networks of a stack: numbers
# that scale a step or the penalty, never a shape or the order of the data.
STACKABLE = ("alpha", "l2", "momentum", "power_t", "beta_1", "beta_2")


class Stack:
    """The networks a minibatch loop trains, and how each of them is doing.

    Parameters
    ----------
    network : Network
        One network, or a stack of k (``network.stack == (k,)``).
    members : list of TrainingState
        The state of each network; a member's ``network`` is a view of its
        row of the stack.
    params : list of dict
        Each network's parameters (``get_params()``); they differ only in
        :data:`STACKABLE`.

    Attributes
    ----------
    settings : dict
        The parameters, with each stackable one an array of shape ``(k,)``
        when the networks are stacked.
    active : ndarray of bool of shape (k,)
        Which networks still train.
    failures : list
        The exception each network failed with (TrainingDiverged), or None.
    best_flat : array or None
        With early stopping, the parameters of each network's best epoch.
    epochs_done : int
        The epochs the loop has completed.
    optimizer_state : dict or None
        The optimizer's state to go on from (``state_dict()`` with its
        settings), or None to start afresh.
    limit : float, ndarray of shape (k,) or None
        The divergence limit that the first batch of the training set.
    """

    def __init__(self, network, members, params):
        self.network, self.members, self.params = network, members, params
        self.stacked = bool(network.stack)
        self.settings = dict(params[0])
        if self.stacked:
            for key in STACKABLE:
                self.settings[key] = np.array([p[key] for p in params])
        self.active = np.ones(len(members), dtype=bool)
        self.failures = [None] * len(members)
        self.best_flat = self.optimizer_state = self.limit = None
        self.epochs_done = members[0].n_iter

    @classmethod
    def single(cls, state, params):
        """Return the stack of one network: a fit, going on from its state."""
        stack = cls(state.network, [state], [params])
        stack.optimizer_state = state.optimizer
        return stack

    def fitted(self):
        """Return the state of a fit's one network, its best epoch kept."""
        self.keep_best()
        state = self.members[0]
        state.optimizer = self.optimizer_state
        return state

    def keep_best(self):
        """With early stopping, set each network to the weights of its best epoch."""
        if self.best_flat is not None:
            self.network.flat[...] = self.best_flat

    @classmethod
    def side_by_side(cls, state, params):
        """Return k copies of ``state``'s network, one per entry of ``params``."""
        network = state.network.stacked(len(params))
        members = []
        for j in range(len(params)):
            # A fresh state of the same kind, on network j's view.
            member = type(state)(network.member(j))
            if state.validation_scores is not None:
                member.validation_scores, member.validation_loss_curve = [], []
            members.append(member)
        return cls(network, members, params)

    def saved(self, rng):
        """Return the stack as plain data that pickles, to go on from later.

        ``rng`` is the random state of its shuffling and dropout.
        """
        network = self.network
        return StackState(
            layers=(network.layer_units, network.activation, network.out_activation),
            flat=copy_array(network.flat),
            best_flat=None if self.best_flat is None else copy_array(self.best_flat),
            members=[_fields_but_network(m) for m in self.members],
            params=[dict(p) for p in self.params],
            active=self.active.copy(),
            failures=list(self.failures),
            epochs_done=self.epochs_done,
            optimizer_state=self.optimizer_state,
            limit=self.limit,
            rng_state=rng.get_state(),
        )

    @classmethod
    def restore(cls, saved, indices, state_type):
        """Return the stack of networks ``indices`` of a saved one, and its rng state.

        Each network goes on where it stopped: weights, optimizer state,
        curves, counters and early-stopping bookkeeping; ``state_type`` is
        the class of the members' states (TrainingState).
        """
        indices = np.asarray(indices)
        k = len(saved.members)
        network = Network(*saved.layers, take_rows(saved.flat, indices))
        members = [
            state_type(network=network.member(i), **_copied(saved.members[j]))
            for i, j in enumerate(indices)
        ]
        stack = cls(network, members, [saved.params[j] for j in indices])
        stack.active = saved.active[indices].copy()
        stack.failures = [saved.failures[j] for j in indices]
        if saved.best_flat is not None:
            stack.best_flat = copy_array(state_rows(saved.best_flat, indices, k))
        stack.epochs_done = saved.epochs_done
        stack.optimizer_state = state_rows(saved.optimizer_state, indices, k)
        stack.limit = state_rows(saved.limit, indices, k)
        return stack, saved.rng_state

    def freeze(self, j, optimizer, failure=None):
        """Stop training network ``j``; with ``failure``, it failed.

        A stack's other networks go on, so its steps become 0; one network
        alone just ends the loop.
        """
        self.active[j] = False
        self.failures[j] = failure
        if not self.stacked:
            return
        optimizer.freeze(j)
        if failure is not None:
            # Zeros compute nothing non-finite while the others train on.
            self.network.flat[j, ...] = 0.0
            if self.best_flat is not None:
                self.best_flat[j, ...] = 0.0


@dataclass
class StackState:
    """A stack saved between two calls of the loop (see :meth:`Stack.saved`)."""

    layers: tuple
    flat: object
    best_flat: object
    members: list
    params: list
    active: np.ndarray
    failures: list
    epochs_done: int
    optimizer_state: dict
    limit: object
    rng_state: tuple


def _fields_but_network(state):
    """Return a member's training state as a dict of copies, without its network."""
    return _copied(
        {f.name: getattr(state, f.name) for f in fields(state) if f.name != "network"}
    )


def _copied(values):
    return {k: list(v) if isinstance(v, list) else v for k, v in values.items()}


def per_member(values, k):
    """One float per network, from a float (one network) or an array of k."""
    return [float(v) for v in np.broadcast_to(np.asarray(values, dtype=float), (k,))]


def check_members_diverged(stack, losses, limits, finite, optimizer):
    """Fail (or, for one network, raise for) each active member that diverged."""
    k = len(stack.members)
    losses, limits = per_member(losses, k), per_member(limits, k)
    finite = np.broadcast_to(finite, (k,))
    for j in np.flatnonzero(stack.active):
        try:
            check_diverged(
                losses[j],
                limits[j],
                stack.params[j],
                stack.members[j].n_iter + 1,
                finite[j],
            )
        except TrainingDiverged as exc:
            if not stack.stacked:
                raise
            stack.freeze(j, optimizer, exc)
    return losses


def record_member_epochs(stack, losses, n_seen, hooks, print_epoch):
    """Record the epoch of every active member.

    Returns
    -------
    stopping : list of int
        The members whose progress has stalled for ``n_iter_no_change``.
    t : float or None
        The samples seen by the members still training (for the schedules).
    """
    stopping, t = [], None
    for j in np.flatnonzero(stack.active):
        state, params = stack.members[j], stack.params[j]
        state.n_iter, state.t, state.loss = (
            state.n_iter + 1,
            state.t + n_seen,
            losses[j],
        )
        state.loss_curve.append(losses[j])
        t = state.t
        best = stack.best_flat
        if stack.stacked and best is not None:
            best = best[j, ...]
        if track_progress(state, params, hooks, best):
            stopping.append(j)
        if params["verbose"]:
            print_epoch(state, j if stack.stacked else None)
    return stopping, t


def stop_members(stack, stopping, hooks, optimizer):
    """Stop (freeze) the stalled members, unless the adaptive schedule goes on."""
    for j in stopping:
        member = j if stack.stacked else None
        state, params = stack.members[j], stack.params[j]
        if stop_without_progress(state, params, hooks, optimizer, member):
            stack.freeze(j, optimizer)
