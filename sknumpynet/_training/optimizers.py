"""Stochastic optimizers: plain classes that update parameters in place.

The interface follows scikit-learn's ``_stochastic_optimizers.py``:
``update_params(params, grads)`` after every minibatch, ``iteration_ends(t)``
after every epoch (``t`` is the number of samples seen), and
``trigger_stopping(msg, verbose)`` when the loss stops improving. The gradient
arrays are scratch space owned by the caller and may be overwritten. They
arrive multiplied by the optimizer's ``step`` (SGD: its learning rate,
which backpropagation folds into the output delta; Adam: 1).

An optimizer's state comes out of ``state_dict()`` as plain numbers and
arrays, and goes back in through :func:`make_optimizer`, so that an estimator
stores no optimizer object: it stays a copyable, safely serialisable value.

The parameters may be arrays of any array-API namespace that supports
in-place operators (NumPy, PyTorch, CuPy, ...); the state lives beside them.
"""

import numpy as np

from .._math.array_api import copy_array, namespace_of, take_rows
from .._math.ops import divide, flush_subnormal, per_network, sqrt


def _zeros_like(params):
    return [namespace_of(p)[0].zeros_like(p) for p in params]


def _value(value):
    """Copy a setting: a float, or a float64 array of one per network of a stack."""
    return (
        np.array(value, dtype=float) if isinstance(value, np.ndarray) else float(value)
    )


class SGDOptimizer:
    """Minibatch stochastic gradient descent with optional (Nesterov) momentum.

    Parameters
    ----------
    params : list of ndarray
        The parameters to update, in place: of shape ``(k, ...)`` for a stack
        of k networks, whose numeric settings may then be arrays of shape
        ``(k,)``, one per network.
    learning_rate_init : float, default=0.1
        The initial step size.
    lr_schedule : {'constant', 'invscaling', 'adaptive'}, default='constant'
        How the step size changes: kept constant, divided by ``(t + 1) **
        power_t`` after each epoch, or divided by 5 whenever the loss stops
        improving.
    momentum : float, default=0.0
        Fraction of the previous update added to the current one.
    nesterov : bool, default=True
        Whether to use Nesterov's momentum (only used when ``momentum > 0``).
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        lr_schedule="constant",
        momentum=0.0,
        nesterov=True,
        power_t=0.5,
    ):
        self.learning_rate_init = _value(learning_rate_init)
        self.learning_rate = _value(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = _value(momentum)
        self.nesterov = nesterov
        self.power_t = _value(power_t)
        self.velocities = _zeros_like(params) if np.any(momentum) else None

    def state_dict(self):
        """Return the state that training changes: step size and velocities."""
        return {
            "learning_rate": _value(self.learning_rate),
            "velocities": None
            if self.velocities is None
            else [copy_array(v) for v in self.velocities],
        }

    def load_state(self, state):
        """Continue from a ``state_dict()`` (the arrays are copied)."""
        self.learning_rate = state["learning_rate"]
        if state["velocities"] is not None:
            self.velocities = [copy_array(v) for v in state["velocities"]]

    @property
    def step(self):
        """What the gradients given to :meth:`update_params` are multiplied by.

        The learning rate: backpropagation folds it into the output delta,
        which saves a pass over every parameter per batch (1.5 us for the
        7,960 of the 784-10-10 network, 22 us for the 235,146 of
        784-256-128-10).
        """
        return self.learning_rate

    def update_params(self, params, grads):
        """Take one step: ``p += momentum * v - lr * g`` (``v`` updated first).

        ``grads`` hold ``lr * g``, the gradients times :attr:`step`.
        """
        if self.velocities is None:
            for param, grad in zip(params, grads):
                param -= grad
            return
        for param, grad, velocity in zip(params, grads, self.velocities):
            mu = per_network(self.momentum, velocity)
            velocity *= mu
            velocity -= grad
            flush_subnormal(velocity)
            if self.nesterov:
                param += mu * velocity
                param -= grad
            else:
                param += velocity

    def iteration_ends(self, time_step):
        """Update the step size after an epoch, for the ``'invscaling'`` schedule."""
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** (
                self.power_t
            )

    def trigger_stopping(self, msg, verbose, member=None):
        """Decide whether to stop once the loss has stopped improving.

        ``member`` is the network of a stack whose loss it is.

        Returns
        -------
        stop : bool
            False when the ``'adaptive'`` schedule could still divide the step
            size by 5; True otherwise.
        """
        if self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        learning_rate = (
            self.learning_rate if member is None else self.learning_rate[member]
        )
        if learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        if member is None:
            self.learning_rate /= 5.0
        else:
            self.learning_rate[member] /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {learning_rate / 5.0:f}")
        return False

    def freeze(self, member):
        """Stop network ``member`` of a stack: from now on its steps are 0."""
        self.learning_rate_init[member] = self.learning_rate[member] = 0.0
        for velocity in self.velocities or ():
            velocity[member, ...] = 0.0


class AdamOptimizer:
    """Adam: stochastic gradient descent with adaptive moment estimates.

    Parameters
    ----------
    params : list of ndarray
        The parameters to update, in place.
    learning_rate_init : float, default=0.001
        The step size.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first and second moment estimates.
    epsilon : float, default=1e-8
        Added to the denominator for numerical stability.

    References
    ----------
    Kingma, Diederik, and Jimmy Ba (2014). "Adam: A method for stochastic
    optimization." arXiv:1412.6980.
    """

    def __init__(
        self, params, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        self.learning_rate_init = _value(learning_rate_init)
        self.learning_rate = _value(learning_rate_init)
        self.beta_1 = _value(beta_1)
        self.beta_2 = _value(beta_2)
        self.epsilon = epsilon
        self.t = 0
        # beta ** t, kept as running products: a multiplication rounds the
        # same for a number as for an array's entries (a power need not).
        self.beta_1_power = self.beta_2_power = 1.0
        self.ms = _zeros_like(params)
        self.vs = _zeros_like(params)

    def state_dict(self):
        """Return the state that training changes: step count and moments."""
        return {
            "t": self.t,
            "learning_rate": _value(self.learning_rate),
            "beta_powers": (_value(self.beta_1_power), _value(self.beta_2_power)),
            "ms": [copy_array(m) for m in self.ms],
            "vs": [copy_array(v) for v in self.vs],
        }

    def load_state(self, state):
        """Continue from a ``state_dict()`` (the arrays are copied)."""
        self.t = state["t"]
        self.learning_rate = state["learning_rate"]
        self.beta_1_power, self.beta_2_power = state["beta_powers"]
        self.ms = [copy_array(m) for m in state["ms"]]
        self.vs = [copy_array(v) for v in state["vs"]]

    #: The gradients given to :meth:`update_params` are the plain gradients.
    step = 1.0

    def update_params(self, params, grads):
        """Take one Adam step, bias-corrected through the step size.

        Its numbers are computed in float64 on the host and meet the arrays
        in their precision, so that a network of a stack steps exactly as it
        would alone.
        """
        self.t += 1
        self.beta_1_power = self.beta_1_power * self.beta_1
        self.beta_2_power = self.beta_2_power * self.beta_2
        lr = self.learning_rate_init * np.sqrt(1 - self.beta_2_power)
        self.learning_rate = _value(lr / (1 - self.beta_1_power))
        for param, grad, m, v in zip(params, grads, self.ms, self.vs):
            b1, b2 = per_network(self.beta_1, m), per_network(self.beta_2, m)
            m *= b1
            m += per_network(1 - self.beta_1, m) * grad
            v *= b2
            grad *= grad
            grad *= per_network(1 - self.beta_2, grad)
            v += grad
            flush_subnormal(m)
            flush_subnormal(v)
            # grad is scratch from here on: it becomes the step
            # lr * m / (sqrt(v) + epsilon).
            step = sqrt(v, out=grad)
            step += self.epsilon
            step = divide(m, step, out=step)
            step *= per_network(self.learning_rate, step)
            param -= step

    def iteration_ends(self, time_step):
        """Adam keeps its step size between epochs."""

    def trigger_stopping(self, msg, verbose, member=None):
        """Stop once the loss has stopped improving."""
        if verbose:
            print(msg + " Stopping.")
        return True

    def freeze(self, member):
        """Stop network ``member`` of a stack: from now on its steps are 0."""
        self.learning_rate_init[member] = 0.0
        for m, v in zip(self.ms, self.vs):
            m[member, ...] = 0.0
            v[member, ...] = 0.0


def optimizer_settings(params):
    """Return the settings that define the optimizer, from the parameters.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params()``.

    Returns
    -------
    settings : tuple
        The solver's name, then the arguments of its class after ``params``.
    """
    if params["solver"] == "sgd":
        return (
            "sgd",
            params["alpha"],
            params["learning_rate"],
            params["momentum"],
            params["nesterovs_momentum"],
            params["power_t"],
        )
    return (
        "adam",
        params["alpha"],
        params["beta_1"],
        params["beta_2"],
        params["epsilon"],
    )


def make_optimizer(settings, params, state=None):
    """Build the optimizer for ``settings``, resuming ``state`` when it matches.

    Parameters
    ----------
    settings : tuple
        From :func:`optimizer_settings`.
    params : list of ndarray
        The parameters the optimizer will update.
    state : dict or None
        A previous optimizer's ``state_dict()`` with its ``"settings"``; it is
        resumed only when those settings are unchanged.
    """
    cls = SGDOptimizer if settings[0] == "sgd" else AdamOptimizer
    optimizer = cls(params, *settings[1:])
    if state is not None and _same(state["settings"], settings):
        optimizer.load_state(state)
    return optimizer


def _same(a, b):
    """Whether two settings are equal; a stack's hold arrays, one per network."""
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def state_rows(state, indices, k):
    """Return a stack's optimizer state for its networks ``indices`` only.

    Every array whose leading axis is the stack's (of length ``k``: the
    velocities, the moments, each network's step and settings) keeps those
    rows; counts and shared numbers stay as they are.
    """
    if isinstance(state, dict):
        return {key: state_rows(value, indices, k) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(state_rows(value, indices, k) for value in state)
    if getattr(state, "ndim", 0) >= 1 and state.shape[0] == k:
        return take_rows(state, indices)
    return state


def optimizer_state(settings, optimizer):
    """Return the optimizer's state as plain values, tagged with its settings."""
    return {"settings": settings, **optimizer.state_dict()}
