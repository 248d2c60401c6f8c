"""Behaviour of NumpyMLPClassifier: training, weights, determinism, errors."""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sknumpynet import NumpyMLPClassifier


def test_defaults_are_the_original_network():
    clf = NumpyMLPClassifier()
    assert clf.hidden_layer_sizes == (10,)
    assert (clf.activation, clf.alpha, clf.epochs, clf.batch_size) == (
        "tanh",
        0.1,
        100,
        32,
    )


def test_fitted_attributes(digits):
    X, y = digits
    clf = NumpyMLPClassifier(epochs=3, tol=None, random_state=0).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(64, 10), (10, 10)]
    assert [b.shape for b in clf.intercepts_] == [(10,), (10,)]
    assert clf.n_iter_ == 3 and clf.t_ == 3 * X.shape[0]
    assert len(clf.loss_curve_) == 3 and clf.loss_ == clf.loss_curve_[-1]
    assert clf.n_layers_ == 3 and clf.n_outputs_ == 10
    assert clf.out_activation_ == "softmax"
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_learns_digits(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    clf = NumpyMLPClassifier(tol=None, random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.93


def test_same_random_state_gives_bit_identical_weights(digits):
    X, y = digits
    fits = [
        NumpyMLPClassifier(epochs=3, tol=None, random_state=7).fit(X, y)
        for _ in range(2)
    ]
    for a, b in zip(
        fits[0].coefs_ + fits[0].intercepts_, fits[1].coefs_ + fits[1].intercepts_
    ):
        assert np.array_equal(a, b)
    other = NumpyMLPClassifier(epochs=3, tol=None, random_state=8).fit(X, y)
    assert not np.array_equal(fits[0].coefs_[0], other.coefs_[0])


def test_float32_input_trains_in_float32(digits):
    X, y = digits
    clf = NumpyMLPClassifier(epochs=2, tol=None, random_state=0).fit(
        X.astype(np.float32), y
    )
    assert all(c.dtype == np.float32 for c in clf.coefs_)
    assert clf.predict_proba(X).dtype == np.float32
    clf64 = NumpyMLPClassifier(epochs=2, tol=None, dtype="float64", random_state=0)
    clf64.fit(X.astype(np.float32), y)
    assert clf64.coefs_[0].dtype == np.float64
    forced = NumpyMLPClassifier(epochs=2, tol=None, dtype="float32").fit(X, y)
    assert forced.coefs_[0].dtype == np.float32


def test_probabilities_are_normalised_and_log_consistent(digits):
    X, y = digits
    clf = NumpyMLPClassifier(epochs=5, tol=None, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X), atol=1e-10)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))


def test_log_proba_stays_finite_where_proba_underflows():
    X = np.array([[-1.0], [1.0]] * 10)
    y = np.array([0, 1] * 10)
    clf = NumpyMLPClassifier((3,), activation="identity", epochs=2, tol=None).fit(X, y)
    log_proba = clf.predict_log_proba(np.array([[1e6]]))
    assert np.isfinite(log_proba).all()
    assert np.isfinite(clf.predict_proba(np.array([[1e6]]))).all()


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
@pytest.mark.parametrize("l2", [0.0, 1.0])
def test_integer_sample_weight_equals_repeated_rows(blobs, solver, l2):
    # One full batch: weight 2 is exactly a repeated row, the L2 penalty
    # included (it is normalised by the total weight, not the row count).
    X, y = blobs
    X, y = X[:20], y[:20]
    sw = np.arange(20) % 3
    params = dict(solver=solver, l2=l2, batch_size=100, epochs=20, tol=None)
    repeated = NumpyMLPClassifier(random_state=0, **params)
    repeated.fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    weighted = NumpyMLPClassifier(random_state=0, **params)
    weighted.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(repeated.predict_proba(X), weighted.predict_proba(X))


def test_minibatch_with_all_zero_weights_makes_no_step(blobs):
    X, y = blobs
    sw = np.ones(len(y))
    sw[:75] = 0  # with shuffle=False and batch_size 25, three batches are all zero
    # No penalty: an L2 term is part of every batch's objective and would
    # shrink the weights even in a batch whose samples all weigh zero.
    params = dict(batch_size=25, shuffle=False, epochs=1, tol=None, l2=0.0)
    clf = NumpyMLPClassifier(random_state=0, **params)
    clf.fit(X, y, sample_weight=sw)
    assert np.isfinite(clf.loss_) and all(np.isfinite(c).all() for c in clf.coefs_)
    # The weights are normalised by their mean over the data set (0.5 here):
    # the kept rows weigh 2, i.e. their batches step with twice the rate.
    ref = NumpyMLPClassifier(random_state=0, alpha=0.2, **params)
    ref.fit(X[75:], y[75:])
    np.testing.assert_allclose(clf.coefs_[0], ref.coefs_[0])


def test_partial_fit_runs_one_epoch_and_needs_classes(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    clf.partial_fit(X[50:], y[50:])
    assert clf.n_iter_ == 2 and clf.t_ == 150
    with pytest.raises(ValueError, match=r"classes \[7\] that are not in classes_"):
        clf.partial_fit(X[:3], np.array([0, 1, 7]))


def test_warm_start_continues_training(digits):
    X, y = digits
    clf = NumpyMLPClassifier(epochs=2, tol=None, warm_start=True, random_state=0).fit(
        X, y
    )
    first = clf.coefs_[0].copy()
    clf.fit(X, y)
    # n_iter_ counts this call's epochs; the loss curve and t_ run on.
    assert clf.n_iter_ == 2 and len(clf.loss_curve_) == 4
    assert clf.t_ == 4 * X.shape[0]
    assert not np.array_equal(first, clf.coefs_[0])
    assert clf.loss_curve_[3] < clf.loss_curve_[0]


def test_verbose_prints_one_line_per_epoch(digits, capsys):
    X, y = digits
    NumpyMLPClassifier(epochs=3, tol=None, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert re.fullmatch(r"Epoch 3/3, loss = \d+\.\d{6}, time = \d+\.\d\ds", lines[-1])


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_progress_reaches_a_pipe_as_it_is_printed(solver):
    # Piped (a log file, a notebook's runner, CI), stdout is block-buffered:
    # each progress line is flushed, or the user sees nothing until the end.
    import os
    import select
    import subprocess
    import sys

    script = (
        "import sys, numpy as np\n"
        "from sknumpynet import NumpyMLPClassifier\n"
        "X = np.random.RandomState(0).rand(64, 4)\n"
        f"NumpyMLPClassifier(solver={solver!r}, epochs=1, tol=None, verbose=1)"
        ".fit(X, np.arange(64) % 2)\n"
        "sys.stdin.read()  # alive until the test has read the line\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        # As a user's shell has it (some CI runners set it, hiding the bug).
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    try:
        readable, _, _ = select.select([child.stdout], [], [], 30)
        line = child.stdout.readline() if readable else ""
    finally:
        child.stdin.close()
        child.wait(timeout=60)
        child.stdout.close()
    assert re.match(r"(Epoch|Iteration) 1", line), line


def test_convergence_warning_when_epochs_run_out(digits):
    X, y = digits
    with pytest.warns(ConvergenceWarning, match="2 epochs reached"):
        NumpyMLPClassifier(epochs=2).fit(X, y)


# Deselected in the mutation run (setup.cfg): its trampolines add frames.
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
@pytest.mark.parametrize("warning", ["convergence", "interrupt"])
@pytest.mark.parametrize("in_pipeline", [False, True])
def test_warnings_point_at_the_line_that_called_fit(
    digits, monkeypatch, solver, warning, in_pipeline
):
    # The user's line, or scikit-learn's when a Pipeline (or a search) fits.
    import sklearn.pipeline
    from sklearn.preprocessing import StandardScaler

    import sknumpynet._math.network as network

    X, y = digits
    epochs = 2 if warning == "convergence" else 50
    clf = NumpyMLPClassifier(solver=solver, epochs=epochs, random_state=0)
    if warning == "interrupt":
        real, calls = network.Network.backprop, []

        def interrupted(*args, **kwargs):
            calls.append(1)
            if len(calls) > 3:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(network.Network, "backprop", interrupted)
    category = ConvergenceWarning if warning == "convergence" else UserWarning
    estimator = make_pipeline(StandardScaler(), clf) if in_pipeline else clf
    with pytest.warns(category) as record:
        estimator.fit(X, y)
    where = sklearn.pipeline.__file__ if in_pipeline else __file__
    assert [w.filename for w in record if w.category is category] == [where]


def test_stops_when_training_loss_stops_improving(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(epochs=500, tol=0.5, n_iter_no_change=2).fit(X, y)
    assert clf.n_iter_ < 10


# ----------------------------------------------------------------------
# Bad input: a clear error that says what is wrong and how to fix it.
# ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X_is_refused(blobs, bad):
    X, y = blobs
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        NumpyMLPClassifier().fit(X, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
@pytest.mark.parametrize("row", [[np.inf, np.inf], [np.inf, -np.inf], [np.nan, 1.0]])
def test_non_finite_X_in_predict_is_an_error_and_no_warning(blobs, method, row):
    # inf - inf in the first layer's product raises the floating-point
    # "invalid" flag whatever the BLAS kernel; on AVX-512 (OpenBLAS SkylakeX)
    # a single inf does too. Either way the user gets the ValueError alone.
    X, y = blobs
    clf = NumpyMLPClassifier(epochs=2, tol=None, random_state=0).fit(X, y)
    W = clf.coefs_[0]
    assert (np.sign(W[0]) != np.sign(W[1])).any()  # some unit sees inf - inf
    X_bad = X[:4].copy()
    X_bad[2] = row
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # The message says what is wrong and how to fix it.
        fix = r"first layer overflows\)\. Remove or impute them, e\.g\. with"
        with pytest.raises(ValueError, match=rf"Input X contains NaN .*{fix}"):
            getattr(clf, method)(X_bad)


def test_empty_data_is_refused():
    with pytest.raises(ValueError, match="0 sample"):
        NumpyMLPClassifier().fit(np.empty((0, 3)), [])


def test_single_class_is_refused(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 1"):
        NumpyMLPClassifier().fit(X, np.ones(len(X)))


def test_wrong_number_of_features_at_predict(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(epochs=1, tol=None).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 3 features, but NumpyMLPClassifier is expecting 2"
    ):
        clf.predict(np.ones((2, 3)))


def test_three_dimensional_X_is_refused():
    with pytest.raises(ValueError, match="Found array with dim 3"):
        NumpyMLPClassifier().fit(np.ones((4, 2, 2)), [0, 1, 0, 1])


def test_non_numeric_X_is_refused():
    with pytest.raises(ValueError, match="could not convert string to float"):
        NumpyMLPClassifier().fit([["a", "b"], ["c", "d"]], [0, 1])


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"alpha": 0},
            "'alpha' parameter .* must be a float in the range \\(0.0, inf\\)",
        ),
        ({"epochs": 0}, "'epochs' parameter"),
        ({"activation": "sigmoid"}, "'activation' parameter"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes must be positive"),
        ({"dropout": 0.2, "solver": "lbfgs"}, "dropout needs a stochastic solver"),
    ],
)
def test_invalid_parameters_are_named(blobs, params, match):
    X, y = blobs
    with pytest.raises(ValueError, match=match):
        NumpyMLPClassifier(**params).fit(X, y)


def test_divergence_says_lower_alpha_and_keeps_previous_weights(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier(activation="relu", epochs=2, tol=None, random_state=0)
    clf.set_params(dtype="float32").fit(X, y)
    before = [c.copy() for c in clf.coefs_]
    clf.set_params(alpha=10.0, warm_start=True)
    with pytest.raises(ValueError, match="Training diverged.*Lower alpha.*scale X"):
        clf.fit(X * 1e20, y)
    for a, b in zip(before, clf.coefs_):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_predict_before_fit_raises(blobs):
    X, _ = blobs
    with pytest.raises(NotFittedError):
        NumpyMLPClassifier().predict(X)


@pytest.mark.parametrize("y_other", [[0, 1], [1, 2, 3], [0, 1, 2, 3]])
def test_warm_start_error_gives_scikit_learns_words_first(y_other):
    # scikit-learn's own test_warm_start matches this message, verbatim.
    X = np.random.RandomState(0).normal(size=(12, 2))
    clf = NumpyMLPClassifier(warm_start=True, epochs=2, tol=None)
    clf.fit(X, np.arange(12) % 3)
    y_i = np.resize(y_other, 12)
    message = (
        "warm_start can only be used where `y` has the same "
        "classes as in the previous call to fit."
        f" Previously got [0 1 2], `y` has {np.unique(y_i)}"
    )
    with pytest.raises(ValueError, match=re.escape(message) + r"\. Set warm_start"):
        clf.fit(X, y_i)


# ----------------------------------------------------------------------
# Edges of the network and of what a fit records
# ----------------------------------------------------------------------


def test_no_hidden_layer_is_a_softmax_regression(digits):
    X, y = digits
    clf = NumpyMLPClassifier(hidden_layer_sizes=(), epochs=20, tol=None)
    clf.set_params(random_state=0).fit(X, y)
    assert clf.n_layers_ == 2 and [c.shape for c in clf.coefs_] == [(64, 10)]
    assert clf.score(X, y) > 0.9
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)


def test_log_softmax_subtracts_each_rows_own_maximum():
    from sknumpynet._math.activations import log_softmax

    Z = np.array([[0.0, 1.0], [800.0, 801.0]])
    expected = np.log(np.exp([0.0, 1.0]) / np.exp([0.0, 1.0]).sum())
    np.testing.assert_allclose(log_softmax(Z), [expected, expected], rtol=1e-12)


def test_multilabel_log_proba_is_the_log_of_proba_without_underflow(digits):
    X, y = digits
    Y = np.column_stack([y % 2, y > 4, y == 0]).astype(int)
    clf = NumpyMLPClassifier(epochs=20, tol=None, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    np.testing.assert_allclose(log_proba, np.log(proba), rtol=1e-9, atol=1e-12)
    # Far from the boundary the probability underflows; its log does not.
    clf.intercepts_[-1][:] = -1000.0
    assert (clf.predict_proba(X[:3]) == 0).all()
    far = clf.predict_log_proba(X[:3])
    assert np.isfinite(far).all() and (far < -990).all()


@pytest.mark.parametrize("activation, factor", [("logistic", 2.0), ("tanh", 6.0)])
def test_initial_weights_are_glorot_uniform(activation, factor):
    from sknumpynet._math.network import Network

    network = Network.initialize(
        [300, 200, 10], activation, "softmax", np.float64, np.random.RandomState(0)
    )
    for coef, intercept in zip(network.coefs, network.intercepts):
        bound = np.sqrt(factor / sum(coef.shape))
        for w in (coef, intercept):
            assert np.abs(w).max() <= bound
        assert np.abs(coef).max() > 0.99 * bound


def test_t_counts_the_weight_of_the_training_samples_only(digits):
    # With early stopping the held-out samples are not trained on: t_ counts
    # the training samples, each by its weight, once per epoch.
    X, y = digits
    params = dict(early_stopping=True, epochs=3, tol=None, random_state=0)
    plain = NumpyMLPClassifier(**params).fit(X, y)
    weighted = NumpyMLPClassifier(**params).fit(
        X, y, sample_weight=np.full(len(y), 2.0)
    )
    n_train = plain.t_ / 3  # validation_fraction=0.1 held out
    assert n_train == int(n_train) and 0.85 * len(y) < n_train < 0.95 * len(y)
    assert weighted.t_ == 2 * plain.t_
