"""One behaviour test per training feature beyond plain minibatch SGD."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.ensemble import AdaBoostClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.class_weight import compute_class_weight

from sknumpynet import NumpyMLPClassifier
from sknumpynet._estimators.class_weights import class_weights
from sknumpynet._math.network import Network


def test_balanced_class_weight_raises_minority_recall():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (500, 2)), rng.normal(1.2, 1, (25, 2))]
    y = np.r_[np.zeros(500, int), np.ones(25, int)]
    kw = dict(epochs=30, tol=None, random_state=0)
    plain = NumpyMLPClassifier(**kw).fit(X, y)
    balanced = NumpyMLPClassifier(class_weight="balanced", **kw).fit(X, y)
    r_plain = recall_score(y, plain.predict(X))
    r_balanced = recall_score(y, balanced.predict(X))
    assert r_balanced > r_plain + 0.3


@pytest.mark.parametrize("weighted", [False, True])
def test_balanced_class_weight_equals_compute_class_weight(weighted):
    # Under the default penalty, which is normalised by the mean weight: a
    # class weight off by a constant factor changes the fit.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 3))
    y = np.r_[np.zeros(60, int), np.ones(20, int), np.full(10, 2)]
    sw = rng.uniform(0.5, 2, size=90) if weighted else None
    expected = compute_class_weight(
        "balanced", classes=np.arange(3), y=y, sample_weight=sw
    )
    np.testing.assert_allclose(class_weights("balanced", y, sw, np.arange(3)), expected)
    kw = dict(batch_size=16, epochs=3, tol=None, random_state=0)
    balanced = NumpyMLPClassifier(class_weight="balanced", **kw).fit(
        X, y, sample_weight=sw
    )
    by_hand = NumpyMLPClassifier(**kw).fit(
        X, y, sample_weight=expected[y] * (1 if sw is None else sw)
    )
    assert balanced.l2 > 0
    np.testing.assert_allclose(balanced.coefs_[0], by_hand.coefs_[0], rtol=1e-6)


def test_class_weight_dict_equals_sample_weight():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), np.arange(40) % 2
    kw = dict(batch_size=64, epochs=5, tol=None, random_state=0)
    a = NumpyMLPClassifier(class_weight={0: 1.0, 1: 3.0}, **kw).fit(X, y)
    b = NumpyMLPClassifier(**kw).fit(X, y, sample_weight=np.where(y == 1, 3.0, 1.0))
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0])


def test_early_stopping_stops_early_and_restores_the_best_epoch(digits):
    X, y = digits
    clf = NumpyMLPClassifier(
        (64,),
        alpha=0.5,
        epochs=300,
        early_stopping=True,
        n_iter_no_change=5,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 300
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == clf.n_iter_
    best = int(np.argmin(clf.validation_loss_curve_))
    assert best < clf.n_iter_ - 1  # the last epoch was not the best one
    assert clf.best_validation_loss_ == min(clf.validation_loss_curve_)
    assert clf.best_validation_score_ == clf.validation_scores_[best]
    # The weights kept are the best epoch's: retrain to that epoch and compare.
    again = NumpyMLPClassifier(
        (64,), alpha=0.5, epochs=best + 1, early_stopping=True, tol=None, random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(again.coefs_[0], clf.coefs_[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_started_early_stopping_keeps_the_previous_best(digits):
    X, y = digits
    clf = NumpyMLPClassifier(
        early_stopping=True, warm_start=True, epochs=40, alpha=0.5, random_state=0
    ).fit(X, y)
    best_loss, best_coefs = clf.best_validation_loss_, clf.coefs_[0].copy()
    # One epoch at a far too large rate cannot beat the previous best epoch,
    # so the previous best weights are kept.
    clf.set_params(epochs=1, alpha=3.0).fit(X, y)
    assert clf.validation_loss_curve_[-1] > best_loss
    assert clf.best_validation_loss_ == best_loss
    np.testing.assert_array_equal(clf.coefs_[0], best_coefs)


def test_l2_shrinks_the_weights(digits):
    X, y = digits
    kw = dict(epochs=20, tol=None, random_state=0)
    norm = np.linalg.norm(NumpyMLPClassifier(l2=0.0, **kw).fit(X, y).coefs_[0])
    norm_l2 = np.linalg.norm(NumpyMLPClassifier(l2=1.0, **kw).fit(X, y).coefs_[0])
    assert norm_l2 < 0.8 * norm


def test_lbfgs_reaches_near_zero_loss_on_separable_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    # Without a penalty: an L2 term keeps the loss away from zero.
    clf = NumpyMLPClassifier((8,), solver="lbfgs", l2=0.0, epochs=500, tol=1e-10)
    clf.fit(X, y)
    assert clf.loss_ < 1e-3
    assert clf.score(X, y) == 1.0
    assert not hasattr(clf, "partial_fit")


def test_dropout_trains_and_predicts_deterministically(digits):
    X, y = digits
    clf = NumpyMLPClassifier((64,), dropout=0.3, epochs=20, tol=None, random_state=0)
    clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    assert clf.score(X, y) > 0.9
    no_dropout = NumpyMLPClassifier((64,), epochs=20, tol=None, random_state=0).fit(
        X, y
    )
    assert not np.allclose(no_dropout.coefs_[0], clf.coefs_[0])


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_keeps_optimizer_state(digits, solver):
    X, y = digits
    params = dict(solver=solver, alpha=0.01, momentum=0.9, random_state=0)
    clf = NumpyMLPClassifier(**params).partial_fit(X, y, classes=np.arange(10))
    state = clf._optimizer_state
    moments = state["velocities"] if solver == "sgd" else state["ms"] + state["vs"]
    assert all(np.abs(m).max() > 0 for m in moments)
    if solver == "adam":
        assert state["t"] == int(np.ceil(len(y) / 32))
    # The state is plain numbers and arrays, never the optimizer object.
    assert {type(v) for v in state.values()} <= {tuple, float, int, list}
    # A second call continues from that state: dropping it changes the result.
    dropped = NumpyMLPClassifier(**params).partial_fit(X, y, classes=np.arange(10))
    dropped._optimizer_state = None
    clf.partial_fit(X, y)
    dropped.partial_fit(X, y)
    assert not np.allclose(clf.coefs_[0], dropped.coefs_[0])
    if solver == "adam":
        assert clf._optimizer_state["t"] == 2 * int(np.ceil(len(y) / 32))


def test_sparse_input_matches_dense(digits):
    X, y = digits
    kw = dict(epochs=3, tol=None, random_state=0)
    dense = NumpyMLPClassifier(**kw).fit(X, y)
    for fmt in (sp.csr_matrix, sp.csc_matrix):
        sparse = NumpyMLPClassifier(**kw).fit(fmt(X), y)
        np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-10)
        np.testing.assert_allclose(sparse.predict_proba(fmt(X)), dense.predict_proba(X))


def test_multilabel_indicator_targets(digits):
    X, y = digits
    Y = np.c_[y % 2, y > 4, y == 3]
    clf = NumpyMLPClassifier((32,), epochs=30, tol=None, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape
    assert clf.score(X, Y) > 0.8


def _interrupt_backprop_at(monkeypatch, call):
    """Make the network's backprop raise KeyboardInterrupt at its ``call``-th call."""
    original = Network.backprop
    calls = {"n": 0}

    def backprop(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "backprop", backprop)


def test_keyboard_interrupt_keeps_completed_epochs_and_warns(digits, monkeypatch):
    X, y = digits
    params = dict(solver="adam", alpha=0.01, epochs=10, tol=None, random_state=0)
    two_epochs = NumpyMLPClassifier(**{**params, "epochs": 2}).fit(X, y)
    batches = int(np.ceil(len(y) / 32))
    _interrupt_backprop_at(monkeypatch, 2 * batches + 5)
    clf = NumpyMLPClassifier(**params)
    with pytest.warns(UserWarning, match="interrupted.*kept the weights of the 2"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.loss_curve_) == 2
    # Exactly the network of a 2-epoch fit, optimizer state included.
    for a, b in zip(
        clf.coefs_ + clf.intercepts_, two_epochs.coefs_ + two_epochs.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    assert clf._optimizer_state["t"] == two_epochs._optimizer_state["t"]
    np.testing.assert_array_equal(
        clf._optimizer_state["ms"][0], two_epochs._optimizer_state["ms"][0]
    )


def test_keyboard_interrupt_during_lbfgs_keeps_completed_iterations(
    digits, monkeypatch
):
    X, y = digits
    _interrupt_backprop_at(monkeypatch, 12)
    clf = NumpyMLPClassifier(solver="lbfgs", epochs=50, random_state=0)
    with pytest.warns(UserWarning, match="interrupted.*L-BFGS.*kept the weights") as w:
        clf.fit(X, y)
    monkeypatch.undo()
    assert 1 <= clf.n_iter_ < 12 and len(clf.loss_curve_) == clf.n_iter_
    assert (
        f"during L-BFGS iteration {clf.n_iter_ + 1}; kept the weights of the "
        f"{clf.n_iter_} iteration(s)" in str(w[0].message)
    )
    # L-BFGS is deterministic: the same as stopping after that many iterations.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = NumpyMLPClassifier(solver="lbfgs", epochs=clf.n_iter_, random_state=0)
        ref.fit(X, y)
    np.testing.assert_allclose(clf.coefs_[0], ref.coefs_[0], rtol=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X), ref.predict_proba(X), rtol=1e-10)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (
            dict(solver="adam", alpha=0.001, epochs=200),
            dict(solver="adam", learning_rate_init=0.001, max_iter=200),
        ),
        (
            dict(solver="lbfgs", epochs=200),
            dict(solver="lbfgs", max_iter=200),
        ),
    ],
    ids=["adam", "lbfgs"],
)
def test_digits_cross_validation_at_least_matches_mlpclassifier(digits, ours, theirs):
    X, y = digits
    common = dict(hidden_layer_sizes=(64,), activation="tanh", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        s_ours = cross_val_score(
            make_pipeline(
                MinMaxScaler(), NumpyMLPClassifier(l2=1e-4, **common, **ours)
            ),
            X,
            y,
            cv=5,
        ).mean()
        s_theirs = cross_val_score(
            make_pipeline(
                MinMaxScaler(), MLPClassifier(alpha=1e-4, **common, **theirs)
            ),
            X,
            y,
            cv=5,
        ).mean()
    print(f"digits 5-fold: sknumpynet {s_ours:.4f}, MLPClassifier {s_theirs:.4f}")
    assert s_ours >= s_theirs - 0.005


def _digits_split(digits):
    X, y = digits
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def test_weights_that_sum_to_one_train_like_unit_weights(digits):
    # The L2 penalty is normalised by the mean weight: with weights 1/n it
    # acts n times as strong. The default penalty is small enough for that.
    X_train, X_test, y_train, y_test = _digits_split(digits)
    n = len(y_train)
    clf = NumpyMLPClassifier(tol=None, random_state=0)
    unit = clf.fit(X_train, y_train).score(X_test, y_test)
    tiny = clf.fit(X_train, y_train, sample_weight=np.full(n, 1 / n))
    assert tiny.score(X_test, y_test) >= 0.9
    assert tiny.score(X_test, y_test) >= unit - 0.02


def test_adaboost_boosts_the_default_model(digits):
    X_train, X_test, y_train, y_test = _digits_split(digits)
    boost = AdaBoostClassifier(
        NumpyMLPClassifier(tol=None, random_state=0), n_estimators=5, random_state=0
    ).fit(X_train, y_train)
    assert len(boost.estimators_) == 5  # no estimator was "worse than random"
    assert boost.score(X_test, y_test) >= 0.9


def test_n_iter_no_change_may_be_infinite(digits):
    X, y = digits
    clf = NumpyMLPClassifier(epochs=4, tol=10.0, n_iter_no_change=np.inf)
    with pytest.warns(ConvergenceWarning, match="4 epochs reached"):
        clf.fit(X, y)
    assert clf.n_iter_ == 4


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_best_loss_is_never_inf(digits, early_stopping, solver):
    X, y = digits
    clf = NumpyMLPClassifier(
        solver=solver, epochs=3, tol=None, early_stopping=early_stopping
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    if early_stopping and solver == "sgd":
        assert clf.best_loss_ is None
        assert clf.best_validation_loss_ == min(clf.validation_loss_curve_)
    else:
        assert clf.best_loss_ == min(clf.loss_curve_)
        assert np.isfinite(clf.best_loss_)


def _record_batches(monkeypatch):
    """Record the first feature of every batch that backprop sees."""
    seen = []
    original = Network.backprop

    def backprop(self, X, *args, **kwargs):
        seen.append(np.asarray(X[:, 0]).copy())
        return original(self, X, *args, **kwargs)

    monkeypatch.setattr(Network, "backprop", backprop)
    return seen


@pytest.mark.parametrize("shuffle", [False, True])
def test_shuffle_visits_every_sample_once_per_epoch(monkeypatch, shuffle):
    n = 100
    X = np.c_[np.arange(n, dtype=float), np.random.RandomState(0).normal(size=n)]
    y = np.arange(n) % 2
    seen = _record_batches(monkeypatch)
    NumpyMLPClassifier(batch_size=16, epochs=3, tol=None, shuffle=shuffle).fit(X, y)
    assert [len(b) for b in seen] == [16] * 6 + [4] + [16] * 6 + [4] + [16] * 6 + [4]
    epochs = [np.concatenate(seen[i * 7 : (i + 1) * 7]).astype(int) for i in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
    if shuffle:
        assert not np.array_equal(epochs[0], np.arange(n))
        assert not np.array_equal(epochs[0], epochs[1])
    else:
        for order in epochs:
            np.testing.assert_array_equal(order, np.arange(n))
