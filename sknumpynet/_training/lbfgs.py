"""The L-BFGS driver: full-batch training through scipy's L-BFGS-B.

The loss and the gradient are those of :meth:`Network.backprop` on one batch
of all the samples, in the network's namespace and on its device; scipy's
optimiser works on a float64 copy of the flat parameters on the host. Like
the minibatch loop, it trains a :class:`~sknumpynet._training.state.TrainingState`
and returns it, reporting to the estimator through its hooks.
"""

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from .._math.array_api import numpy_dtype, to_device, to_numpy_array
from .minibatch import objective_weights, work_arrays
from .stopping import check_diverged, record_validation


def lbfgs(state, X, y, sample_weight, params, *, hooks):
    """Train ``state`` by full-batch L-BFGS (scipy's L-BFGS-B) on the flat parameters.

    At most ``params["epochs"]`` iterations and ``params["max_fun"]`` loss
    evaluations. Ctrl-C keeps the last completed iteration.

    Returns
    -------
    state : TrainingState
    """
    network = state.network
    xp, device = network.xp, network.device
    n_samples = X.shape[0]
    scale, l2 = objective_weights(sample_weight, params["l2"])
    # One batch of all the samples, in their order.
    workspace, targets = work_arrays(network, X, n_samples, n_samples, gather=False)
    targets.fill(y, scale, xp.arange(n_samples, device=device))
    # scipy's optimiser works on a float64 vector on the host; the loss and
    # the gradient are computed in the network's namespace, on its device.
    host_dtype = numpy_dtype(X.dtype)

    def set_weights(packed):
        if xp is np:
            network.flat[...] = packed
        else:
            network.flat[...] = to_device(packed.astype(host_dtype), xp, device)

    def loss_and_grad(packed):
        set_weights(packed)
        loss = network.backprop(X, targets, 0, n_samples, l2, workspace)
        loss += targets.recorded_loss()
        grad = to_numpy_array(workspace.flat_grad)
        return float(loss) / n_samples, grad.astype(np.float64)

    start = to_numpy_array(network.flat).astype(np.float64)
    last = {"x": start, "fun": np.nan}

    def on_iteration(intermediate_result):
        hooks.epoch_begin()
        last["x"], last["fun"] = intermediate_result.x.copy(), intermediate_result.fun
        set_weights(last["x"])
        state.n_iter += 1
        state.loss = float(last["fun"])
        state.loss_curve.append(state.loss)
        if hooks.validates:
            record_validation(state, hooks)
        if params["verbose"]:
            print(f"Iteration {state.n_iter}, loss = {state.loss:.8f}", flush=True)
        if hooks.epoch_end(state):
            raise StopIteration

    tol = params["tol"]
    interrupted = False
    try:
        result = scipy.optimize.minimize(
            loss_and_grad,
            start,
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
        x, fun, interrupted = last["x"], last["fun"], True
        warnings.warn(
            f"Training interrupted by the user during L-BFGS iteration "
            f"{state.n_iter + 1}; kept the weights of the {state.n_iter} "
            "iteration(s) completed.",
            UserWarning,
            stacklevel=6,
        )
    set_weights(x)
    if state.n_iter or not interrupted:
        # Also with no iteration done: a loss that is not finite from the
        # start (X of 1e200, say) stops the line search at once.
        check_diverged(
            state,
            float(fun),
            np.inf,
            params,
            max(state.n_iter, 1),
            np.isfinite(x).all(),
        )
    # Status 1 is the iteration limit: expected with tol=None, which asks for
    # exactly `epochs` iterations, as in the stochastic solvers.
    if not interrupted and (
        result.status == 2 or (result.status == 1 and tol is not None)
    ):
        warnings.warn(
            f"L-BFGS stopped without converging after {result.nit} "
            f"iteration(s): {result.message}. Increase epochs (the iteration "
            f"limit, now {params['epochs']}) or max_fun, or scale X.",
            ConvergenceWarning,
            stacklevel=6,
        )
    if state.n_iter:
        state.loss = float(fun)
        best = np.inf if state.best_loss is None else state.best_loss
        state.best_loss = min(best, state.loss)
    return state
