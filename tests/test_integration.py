"""The estimator inside the real scikit-learn machinery, and on disk."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier


def test_pipeline_with_minmax_scaler(digits):
    X, y = digits
    pipe = make_pipeline(
        MinMaxScaler(), NumpyMLPClassifier(epochs=20, tol=None, random_state=0)
    )
    pipe.fit(X[:1400] * 16, y[:1400])
    assert pipe.score(X[1400:] * 16, y[1400:]) > 0.85


def test_grid_search_over_alpha_and_epochs_in_parallel(digits):
    X, y = digits
    search = GridSearchCV(
        NumpyMLPClassifier(tol=None, random_state=0),
        {"alpha": [0.01, 0.1], "epochs": [1, 10]},
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"].reshape(2, 2)
    # More epochs and the larger rate both help on this problem.
    assert search.best_params_ == {"alpha": 0.1, "epochs": 10}
    assert scores[1, 1] > scores[0, 0] + 0.1
    assert search.best_estimator_.n_iter_ == 10


def test_cross_val_score(digits):
    X, y = digits
    scores = cross_val_score(
        NumpyMLPClassifier(epochs=15, tol=None, random_state=0), X, y, cv=5
    )
    assert scores.shape == (5,) and scores.min() > 0.8


def test_clone_is_unfitted_with_same_params():
    clf = NumpyMLPClassifier((32, 16), alpha=0.05, epochs=7)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "coefs_")


def test_joblib_round_trip_gives_identical_probabilities(digits, tmp_path):
    X, y = digits
    clf = NumpyMLPClassifier(epochs=5, tol=None, random_state=0).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # The loaded network can keep training.
    loaded.set_params(warm_start=True, epochs=1).fit(X, y)
    assert loaded.n_iter_ == 1 and len(loaded.loss_curve_) == 6


def test_string_labels(blobs):
    X, y = blobs
    names = np.array(["cat", "dog", "emu"])[y]
    clf = NumpyMLPClassifier(epochs=20, tol=None, random_state=0).fit(X, names)
    assert set(clf.predict(X)) <= {"cat", "dog", "emu"}
    np.testing.assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    assert clf.score(X, names) > 0.9


def test_pandas_input_keeps_feature_names(blobs):
    X, y = blobs
    df = pd.DataFrame(X, columns=["width", "height"])
    clf = NumpyMLPClassifier(epochs=5, tol=None, random_state=0).fit(df, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, ["width", "height"])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(clf.predict(df), clf.predict(X))
