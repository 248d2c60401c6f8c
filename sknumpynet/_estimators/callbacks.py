"""scikit-learn's callback API (``sklearn.callback``, new in 1.9), both ways.

:class:`EstimatorHooks` is how a training loop reports its epochs to the
estimator's callbacks and has its held-out set scored; :class:`EpochProgress`
is a callback of our own, a progress line per epoch. On older scikit-learn
the estimator keeps working; it just has no callbacks to call, and this
module supplies a context whose hooks do nothing.
"""

import sys
import time

from sklearn.base import is_classifier

from .._training.state import Hooks

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class _NoCallbackContext:
        """Stands in for ``CallbackContext`` where scikit-learn has none."""

        def subcontext(self, task_name="", task_id=None, max_subtasks=0):
            return self

        def call_on_fit_task_begin(self, **kwargs):
            return self

        def call_on_fit_task_end(self, **kwargs):
            return False

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Callback support for scikit-learn versions that have none."""

        def _init_callback_context(self, task_name="fit", max_subtasks=0, **kwargs):
            return _NoCallbackContext()


class EstimatorHooks(Hooks):
    """Reports each epoch to the estimator's callbacks and scores the held-out set."""

    def __init__(
        self, estimator, context, X, y, fitted_attributes, validation, stops_early
    ):
        self.estimator, self.context, self.X, self.y = estimator, context, X, y
        self.fitted_attributes = fitted_attributes
        self.validation = validation
        self.validates = validation is not None
        self.stops_early = self.validates and stops_early

    def epoch_begin(self):
        """Open the callbacks' context of an epoch."""
        self._epoch = self.context.subcontext(task_name="epoch")
        self._epoch.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def epoch_end(self, state):
        """Close the epoch's context; True when a callback asks to stop."""
        return self._epoch.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=lambda: self.fitted_attributes(state, copy=True),
        )

    def validate(self, network):
        """Return the held-out ``(loss, score)`` of the network."""
        X_val, y_val, sw_val = self.validation
        Z = network.logits(X_val)
        score = self.estimator._score_logits(Z, y_val, sw_val)
        return network.loss(Z, y_val, sw_val), score


def _format_seconds(seconds):
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class EpochProgress:
    """Print one line per epoch: loss, held-out score, elapsed time and ETA.

    A ``FitCallback`` for :meth:`NumpyMLPClassifier.set_callbacks` (scikit-learn
    1.9 or later). It also records the held-out accuracy of every epoch in
    ``scores_``.

    Parameters
    ----------
    X_monitor, y_monitor : array-like, default=None
        Data on which to report the accuracy after each epoch, already
        transformed as the classifier sees it. None reports the loss only.
    stream : file-like, default=None
        Where to print; ``sys.stdout`` when None.
    """

    def __init__(self, X_monitor=None, y_monitor=None, stream=None):
        self.X_monitor = X_monitor
        self.y_monitor = y_monitor
        self.stream = stream
        self.scores_ = []

    def setup(self, estimator, context):
        """Start the clock."""
        self._start = time.perf_counter()
        self.scores_ = []

    def on_fit_task_begin(self, estimator, context):
        """Nothing to do before an epoch."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        """Report an epoch (the subtasks of the fit task)."""
        if context.parent is None or fitted_estimator is None:
            return False
        epoch = fitted_estimator.n_iter_
        total = context.parent.max_subtasks
        elapsed = time.perf_counter() - self._start
        # L-BFGS reports its iterations where the stochastic solvers report epochs.
        unit = "iteration" if fitted_estimator.solver == "lbfgs" else "epoch"
        line = f"{unit} {epoch:>3}/{total}  loss {fitted_estimator.loss_curve_[-1]:.4f}"
        if self.X_monitor is not None:
            score = fitted_estimator.score(self.X_monitor, self.y_monitor)
            self.scores_.append(score)
            metric = "accuracy" if is_classifier(fitted_estimator) else "R²"
            line += f"  test {metric} {score:.4f}"
        eta = elapsed / (context.task_id + 1) * (total - context.task_id - 1)
        line += f"  elapsed {_format_seconds(elapsed)}  ETA {_format_seconds(eta)}"
        print(line, file=self.stream or sys.stdout, flush=True)
        return False

    def teardown(self, estimator, context):
        """Nothing to release."""


__all__ = ["CallbackSupportMixin", "EpochProgress", "EstimatorHooks"]
