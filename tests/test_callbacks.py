"""scikit-learn's callback API (sklearn.callback): epochs reported as subtasks."""

import pytest
from callback_helpers import Callback
from sklearn.model_selection import GridSearchCV

from sknumpynet import EpochProgress, NumpyMLPClassifier

callback = pytest.importorskip("sklearn.callback")


class EpochRecorder(Callback):
    """An auto-propagated callback that records every epoch it is told of."""

    max_propagation_depth = None

    def __init__(self):
        self.epochs = []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.epochs.append((context.task_id, fitted_estimator.n_iter_))
        return False


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


def test_progress_bar_shows_every_fit_of_a_grid_search(digits, capsys, monkeypatch):
    pytest.importorskip("rich")
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for the percentages
    X, y = digits
    search = GridSearchCV(
        NumpyMLPClassifier(epochs=3, tol=None, random_state=0),
        {"alpha": [0.05, 0.1]},
        cv=2,
    ).set_callbacks(callback.ProgressBar(max_propagation_depth=None))
    search.fit(X, y)
    assert search.best_estimator_.n_iter_ == 3
    lines = capsys.readouterr().out.splitlines()
    # A bar for each fit: rich draws bars only for tasks with subtasks, so
    # these are there because each fit declares its epochs.
    fits = [line for line in lines if "NumpyMLPClassifier - fit" in line]
    assert len(fits) == 2 * 2 + 1  # 2 candidates x 2 folds, and the refit
    assert all(line.rstrip().split()[-2] == "100%" for line in fits)
    assert "refit-with-best-params" in fits[-1]


def test_a_callback_can_stop_training(digits):
    X, y = digits

    class StopAfterTwo(EpochRecorder):
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            return context.task_name == "epoch" and fitted_estimator.n_iter_ == 2

    clf = (
        NumpyMLPClassifier(epochs=10, tol=None).set_callbacks(StopAfterTwo()).fit(X, y)
    )
    assert clf.n_iter_ == 2


def test_epoch_progress_reports_the_score_of_each_epoch(digits, capsys):
    X, y = digits
    progress = EpochProgress(X[:200], y[:200])
    kw = dict(tol=None, random_state=0)
    clf = NumpyMLPClassifier(epochs=3, **kw).set_callbacks(progress).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("epoch   3/3  loss ")
    # Each epoch's score is that of the network after that epoch: the same as
    # a fit stopped there (same random_state, so the same first epochs).
    expected = [
        NumpyMLPClassifier(epochs=k, **kw).fit(X, y).score(X[:200], y[:200])
        for k in (1, 2)
    ]
    assert progress.scores_ == [*expected, clf.score(X[:200], y[:200])]
    assert f"test accuracy {progress.scores_[-1]:.4f}" in lines[-1]
    assert f"loss {clf.loss_curve_[-1]:.4f}" in lines[-1]


def test_epoch_progress_counts_the_epochs_of_a_warm_started_fit(digits, capsys):
    X, y = digits
    clf = NumpyMLPClassifier(epochs=3, tol=None, warm_start=True, random_state=0)
    clf.fit(X, y)
    clf.set_callbacks(EpochProgress()).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"]


class SnapshotRecorder(Callback):
    """Records the dtype and a copy of the first weights of each mid-fit model."""

    def __init__(self):
        self.snapshots = []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.snapshots.append(fitted_estimator.coefs_[0])
        return False


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_mid_fit_models_are_copies_in_the_fits_precision(digits, solver):
    X, y = digits
    recorder = SnapshotRecorder()
    clf = NumpyMLPClassifier(solver=solver, epochs=3, tol=None, random_state=0)
    clf.set_callbacks(recorder).fit(X.astype("float32"), y)
    assert len(recorder.snapshots) == 3
    assert all(s.dtype == "float32" for s in recorder.snapshots)
    # Each is the network of its epoch, not a view of the one still training.
    assert not (recorder.snapshots[0] == recorder.snapshots[-1]).all()
    assert (recorder.snapshots[-1] == clf.coefs_[0]).all()
