"""scikit-learn's callback API (sklearn.callback): epochs reported as subtasks."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sknumpynet import EpochProgress, NumpyMLPClassifier

callback = pytest.importorskip("sklearn.callback")


class EpochRecorder:
    """An auto-propagated callback that records every epoch it is told of."""

    max_propagation_depth = None

    def __init__(self):
        self.epochs = []

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.epochs.append((context.task_id, fitted_estimator.n_iter_))
        return False

    def teardown(self, estimator, context):
        pass


def test_each_epoch_is_a_subtask_with_a_ready_estimator(digits):
    X, y = digits
    recorder = EpochRecorder()
    NumpyMLPClassifier(epochs=4, tol=None).set_callbacks(recorder).fit(X, y)
    assert recorder.epochs == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_callbacks_propagate_through_grid_search(digits):
    X, y = digits
    recorder = EpochRecorder()
    search = GridSearchCV(
        NumpyMLPClassifier(tol=None, random_state=0), {"epochs": [2, 3]}, cv=2
    ).set_callbacks(recorder)
    search.fit(X, y)
    # 2 folds x (2 + 3) epochs, plus the refit of the best candidate.
    assert len(recorder.epochs) == 2 * (2 + 3) + search.best_params_["epochs"]


def test_progress_bar_runs_on_grid_search(digits):
    pytest.importorskip("rich")
    X, y = digits
    search = GridSearchCV(
        NumpyMLPClassifier(epochs=3, tol=None, random_state=0),
        {"alpha": [0.05, 0.1]},
        cv=2,
    ).set_callbacks(callback.ProgressBar(max_propagation_depth=None))
    search.fit(X, y)
    assert search.best_estimator_.n_iter_ == 3


def test_a_callback_can_stop_training(digits):
    X, y = digits

    class StopAfterTwo(EpochRecorder):
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            return context.task_name == "epoch" and fitted_estimator.n_iter_ == 2

    clf = (
        NumpyMLPClassifier(epochs=10, tol=None).set_callbacks(StopAfterTwo()).fit(X, y)
    )
    assert clf.n_iter_ == 2


def test_epoch_progress_reports_accuracy(digits, capsys):
    X, y = digits
    progress = EpochProgress(X[:200], y[:200])
    NumpyMLPClassifier(epochs=3, tol=None).set_callbacks(progress).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("epoch   3/3  loss ")
    assert len(progress.scores_) == 3 and 0 <= progress.scores_[-1] <= 1
    assert np.all(np.isfinite(progress.scores_))
