"""Per-epoch progress lines, as a scikit-learn callback (``sklearn.callback``)."""

import sys
import time

from sklearn.base import is_classifier


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
