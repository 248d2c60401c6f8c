"""A fit is a transaction: a failed fit leaves the estimator exactly as it was."""

import numpy as np
import pytest
from callback_helpers import Callback
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sknumpynet import NumpyMLPClassifier


def _fitted(digits, **params):
    X, y = digits
    kw = dict(epochs=5, tol=None, random_state=0)
    return NumpyMLPClassifier(**{**kw, **params}).fit(X, y)


def _observable(clf, X):
    """What a user can see of a fitted classifier."""
    return {
        "proba": clf.predict_proba(X),
        "classes_": clf.classes_.copy(),
        "n_features_in_": clf.n_features_in_,
        "coefs_": [c.copy() for c in clf.coefs_ + clf.intercepts_],
        "n_iter_": clf.n_iter_,
        "t_": clf.t_,
        "loss_curve_": list(clf.loss_curve_),
        "optimizer": clf._optimizer_state,
    }


def _assert_same(before, after):
    np.testing.assert_array_equal(before["proba"], after["proba"])
    np.testing.assert_array_equal(before["classes_"], after["classes_"])
    for key in ("n_features_in_", "n_iter_", "t_", "loss_curve_"):
        assert before[key] == after[key], key
    for a, b in zip(before["coefs_"], after["coefs_"]):
        np.testing.assert_array_equal(a, b)


def _zeros(X):
    return np.zeros(X.shape[0])


# scikit-learn's own check of sample_weight, or ours after class weights.
ZERO_WEIGHTS = "at least one non-zero|sum to zero"

FAILING_FITS = {
    # name: (params set before the call, the call, the error it must raise)
    "one class": ({}, lambda c, X, y: c.fit(X, np.zeros(len(y))), "only one class"),
    "zero sample weights": (
        {},
        lambda c, X, y: c.fit(X, y, sample_weight=_zeros(X)),
        ZERO_WEIGHTS,
    ),
    "all-zero class weights": (
        {"class_weight": dict.fromkeys(range(10), 0.0)},
        lambda c, X, y: c.fit(X, y),
        "sum to zero",
    ),
    "other n_features and zero weights": (
        {},
        lambda c, X, y: c.fit(X[:, :4], y, sample_weight=_zeros(X)),
        ZERO_WEIGHTS,
    ),
    "multiclass-multioutput": (
        {},
        lambda c, X, y: c.fit(X, np.c_[y, y]),
        "does not support multiclass-multioutput",
    ),
    "class_weight label not in y": (
        {"class_weight": {0: 1.0, 42: 2.0}},
        lambda c, X, y: c.fit(X, y),
        r"class_weight has labels \[42\] that are not in the classes",
    ),
    "negative class weight": (
        {"class_weight": {0: -1.0}},
        lambda c, X, y: c.fit(X, y),
        "finite, non-negative",
    ),
    "NaN class weight": (
        {"class_weight": {3: np.nan}},
        lambda c, X, y: c.fit(X, y),
        "finite, non-negative",
    ),
    "NaN in X": (
        {},
        lambda c, X, y: c.fit(np.where(X == X.max(), np.nan, X), y),
        "Input X contains NaN",
    ),
    "diverging learning rate": (
        {"alpha": 1e6},
        lambda c, X, y: c.fit(X, y),
        "Training diverged in epoch 1.*Lower alpha",
    ),
    "warm start blows up": (
        {"alpha": 50.0, "warm_start": True},
        lambda c, X, y: c.fit(X * 100, y),
        "Training diverged.*left as it was",
    ),
    "warm start with fewer classes": (
        {"warm_start": True},
        lambda c, X, y: c.fit(X[y < 5], y[y < 5]),
        "warm_start can only be used where `y` has the same classes",
    ),
    "warm start with other classes": (
        {"warm_start": True},
        lambda c, X, y: c.fit(X, y + 1),
        "warm_start can only be used where `y` has the same classes",
    ),
    "partial_fit with other classes": (
        {},
        lambda c, X, y: c.partial_fit(X, y, classes=np.arange(11)),
        "is not the same as on the first call to partial_fit",
    ),
    "partial_fit with zero weights": (
        {},
        lambda c, X, y: c.partial_fit(X, y, sample_weight=_zeros(X)),
        ZERO_WEIGHTS,
    ),
}


@pytest.mark.parametrize("case", FAILING_FITS, ids=list(FAILING_FITS))
def test_failed_fit_leaves_a_fitted_model_unchanged(digits, case):
    X, y = digits
    params, call, match = FAILING_FITS[case]
    clf = _fitted(digits)
    before = _observable(clf, X)
    clf.set_params(**params)
    with pytest.raises(ValueError, match=match):
        call(clf, X, y)
    _assert_same(before, _observable(clf, X))
    # And it still trains: the next good fit works from the kept state.
    clf.set_params(alpha=0.1, class_weight=None, warm_start=True, epochs=1)
    clf.fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 6


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda c, X, y: c.fit(X, np.zeros(len(y))), "only one class"),
        (
            lambda c, X, y: c.partial_fit(
                X, y, classes=np.arange(10), sample_weight=_zeros(X)
            ),
            ZERO_WEIGHTS,
        ),
        (lambda c, X, y: c.set_params(alpha=1e6).fit(X, y), "Training diverged"),
        (lambda c, X, y: c.partial_fit(X, y), "classes must be passed"),
    ],
    ids=["fit, one class", "first partial_fit", "diverging fit", "no classes"],
)
def test_failed_fit_leaves_an_unfitted_model_unfitted(digits, call, match):
    X, y = digits
    clf = NumpyMLPClassifier(random_state=0)
    with pytest.raises(ValueError, match=match):
        call(clf, X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)
    fitted_attributes = [k for k in vars(clf) if k.endswith("_")]
    assert fitted_attributes == []


def test_finite_blow_up_is_divergence(digits):
    # The loss stays finite here for a while; a NaN check alone lets it through.
    X, y = digits
    with pytest.raises(ValueError, match=r"the loss became [0-9.e+]+, from"):
        NumpyMLPClassifier(alpha=1e6, epochs=3, tol=None).fit(X, y)


def test_multiclass_multioutput_error_matches_mlpclassifier_in_kind(digits):
    from sklearn.neural_network import MLPClassifier

    X, y = digits
    with pytest.raises(ValueError, match="Multioutput target data is not supported"):
        MLPClassifier(max_iter=1).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="MultiOutputClassifier"):
        NumpyMLPClassifier().fit(X, np.c_[y, y])


def test_callbacks_are_torn_down_after_a_failed_fit(digits):
    pytest.importorskip("sklearn.callback")
    X, y = digits
    torn_down = []

    class Recorder(Callback):
        def teardown(self, estimator, context):
            torn_down.append(True)

    clf = NumpyMLPClassifier(alpha=1e6).set_callbacks(Recorder())
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(X, y)
    assert torn_down == [True]
    assert not hasattr(clf, "_callback_fit_ctx")
