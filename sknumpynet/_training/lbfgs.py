"""The L-BFGS driver: full-batch training through scipy's L-BFGS-B.

The loss and the gradient are those of :meth:`Network.backprop` on one batch
of all the samples, in the network's namespace and on its device; scipy's
optimiser works on a float64 copy of the flat parameters on the host. Like
the minibatch loop, it trains a :class:`~sknumpynet._training.state.TrainingState`
and returns it, reporting to the estimator through its hooks.
"""

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from .._math.array_api import numpy_dtype, to_device, to_numpy_array
from .minibatch import objective_weights, work_arrays
from .state import warn_caller
from .stopping import check_diverged, record_validation


class _Objective:
    """The loss and gradient of the flat parameters, for scipy's optimiser.

    Those of :meth:`Network.backprop` on one batch of all the samples, in
    the network's namespace and on its device; scipy works on a float64
    copy of the flat parameters on the host.
    """

    def __init__(self, network, X, y, sample_weight, l2):
        self.network, self.X, self.n_samples = network, X, X.shape[0]
        scale, self.l2 = objective_weights(sample_weight, l2)
        # One batch of all the samples, in their order.
        self.workspace, self.targets = work_arrays(
            network, X, self.n_samples, self.n_samples, gather=False
        )
        xp, device = network.xp, network.device
        self.targets.fill(y, scale, xp.arange(self.n_samples, device=device))
        self.host_dtype = numpy_dtype(X.dtype)
        self.start = to_numpy_array(network.flat).astype(np.float64)

    def set_weights(self, packed):
        """Set the network's parameters from scipy's float64 vector."""
        network = self.network
        if network.xp is np:
            network.flat[...] = packed
        else:
            packed = packed.astype(self.host_dtype)
            network.flat[...] = to_device(packed, network.xp, network.device)

    def __call__(self, packed):
        """Return the mean loss and its gradient at ``packed``."""
        self.set_weights(packed)
        loss = self.network.backprop(
            self.X, self.targets, 0, self.n_samples, self.l2, self.workspace
        )
        loss += self.targets.recorded_loss()
        grad = to_numpy_array(self.workspace.flat_grad)
        return float(loss) / self.n_samples, grad.astype(np.float64)


def lbfgs(state, X, y, sample_weight, params, *, hooks):
    """Train ``state`` by full-batch L-BFGS (scipy's L-BFGS-B) on the flat parameters.

    At most ``params["epochs"]`` iterations and ``params["max_fun"]`` loss
    evaluations. Ctrl-C keeps the last completed iteration.

    Returns
    -------
    state : TrainingState
    """
    objective = _Objective(state.network, X, y, sample_weight, params["l2"])
    last = {"x": objective.start, "fun": np.nan}

    def on_iteration(intermediate_result):
        hooks.epoch_begin()
        last["x"], last["fun"] = intermediate_result.x.copy(), intermediate_result.fun
        objective.set_weights(last["x"])
        _record_iteration(state, float(last["fun"]), params, hooks)
        if hooks.epoch_end(state):
            raise StopIteration

    tol = params["tol"]
    result = None
    try:
        result = scipy.optimize.minimize(
            objective,
            objective.start,
            method="L-BFGS-B",
            jac=True,
            callback=on_iteration,
            options={
                "maxfun": params["max_fun"],
                "maxiter": params["epochs"],
                "gtol": 0.0 if tol is None else tol,
            },
        )
        x, fun = result.x, result.fun
    except KeyboardInterrupt:
        x, fun = last["x"], last["fun"]
        warn_caller(
            f"Training interrupted by the user during L-BFGS iteration "
            f"{state.n_iter + 1}; kept the weights of the {state.n_iter} "
            "iteration(s) completed.",
            UserWarning,
        )
    objective.set_weights(x)
    if state.n_iter or result is not None:
        # Also with no iteration done: a loss that is not finite from the
        # start (X of 1e200, say) stops the line search at once.
        check_diverged(
            float(fun),
            np.inf,
            params,
            max(state.n_iter, 1),
            np.isfinite(x).all(),
        )
    if result is not None:
        _warn_if_not_converged(result, params)
    if state.n_iter:
        state.loss = float(fun)
        best = np.inf if state.best_loss is None else state.best_loss
        state.best_loss = min(best, state.loss)
    return state


def _record_iteration(state, loss, params, hooks):
    """Record an iteration's loss (and held-out score) in the state."""
    state.n_iter += 1
    state.loss = loss
    state.loss_curve.append(loss)
    if hooks.validates:
        record_validation(state, hooks)
    if params["verbose"]:
        print(f"Iteration {state.n_iter}, loss = {state.loss:.8f}", flush=True)


def _warn_if_not_converged(result, params):
    """Warn with scipy's reason when L-BFGS stopped without converging."""
    # Status 1 is the iteration limit: expected with tol=None, which asks for
    # exactly `epochs` iterations, as in the stochastic solvers.
    if result.status == 2 or (result.status == 1 and params["tol"] is not None):
        warn_caller(
            f"L-BFGS stopped without converging after {result.nit} "
            f"iteration(s): {result.message}. Increase epochs (the iteration "
            f"limit, now {params['epochs']}) or max_fun, or scale X.",
            ConvergenceWarning,
        )
