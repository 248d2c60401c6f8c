"""NumpyMLPRegressor: targets, losses, weights and the shared machinery."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from callback_helpers import Callback
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sknumpynet import NumpyMLPRegressor


@pytest.fixture(scope="module")
def friedman():
    X, y = make_friedman1(n_samples=600, noise=0.5, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def counts():
    """Poisson counts whose log-mean is linear in X."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 4))
    mean = np.exp(0.5 + X @ np.array([0.4, -0.3, 0.2, 0.0]))
    return X, rng.poisson(mean).astype(float), mean


def test_learns_friedman(friedman):
    X, y = friedman
    reg = NumpyMLPRegressor(tol=None, random_state=0).fit(X[:450], y[:450])
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 1
    assert reg.predict(X[450:]).shape == (150,)
    assert reg.score(X[450:], y[450:]) > 0.9


def test_multi_output(friedman):
    X, y = friedman
    Y = np.c_[y, -2 * y + 1]
    reg = NumpyMLPRegressor(tol=None, random_state=0).fit(X[:450], Y[:450])
    assert reg.n_outputs_ == 2 and reg.coefs_[-1].shape == (100, 2)
    pred = reg.predict(X[450:])
    assert pred.shape == (150, 2)
    assert r2_score(Y[450:], pred, multioutput="raw_values").min() > 0.85


def test_poisson_fits_counts_with_positive_predictions(counts):
    X, y, mean = counts
    reg = NumpyMLPRegressor(loss="poisson", tol=None, random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    pred = reg.predict(X)
    assert (pred > 0).all()
    # Closer to the true means than the best constant, in Poisson deviance.
    from sklearn.metrics import mean_poisson_deviance

    assert mean_poisson_deviance(mean, pred) < 0.5 * mean_poisson_deviance(
        mean, np.full_like(mean, y.mean())
    )


def test_poisson_multi_output(counts):
    X, y, _ = counts
    reg = NumpyMLPRegressor(loss="poisson", epochs=20, tol=None).fit(X, np.c_[y, y])
    assert reg.predict(X).shape == (500, 2) and (reg.predict(X) > 0).all()


def test_poisson_refuses_negative_targets(counts):
    X, y, _ = counts
    with pytest.raises(ValueError, match="needs non-negative targets.*lowest -1"):
        NumpyMLPRegressor(loss="poisson").fit(X, y - 1)


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_integer_sample_weight_equals_repeated_rows(counts, solver, loss):
    X, y, _ = counts
    X, y = X[:30], y[:30]
    sw = np.arange(30) % 3
    params = dict(solver=solver, loss=loss, batch_size=100, epochs=15, tol=None)
    params.update(activation="tanh", alpha=0.01, l2=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        repeated = NumpyMLPRegressor(**params).fit(
            np.repeat(X, sw, axis=0), np.repeat(y, sw)
        )
        weighted = NumpyMLPRegressor(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(repeated.predict(X), weighted.predict(X), rtol=1e-7)


def test_sparse_input_matches_dense(friedman):
    X, y = friedman
    kw = dict(epochs=3, tol=None, random_state=0)
    dense = NumpyMLPRegressor(**kw).fit(X, y)
    sparse = NumpyMLPRegressor(**kw).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict(sp.csr_matrix(X)), dense.predict(X))


def test_float32_input_trains_in_float32(friedman):
    X, y = friedman
    reg = NumpyMLPRegressor(epochs=3, tol=None).fit(X.astype(np.float32), y)
    assert reg.coefs_[0].dtype == np.float32
    assert reg.predict(X.astype(np.float32)).dtype == np.float32


def test_partial_fit_and_warm_start(friedman):
    X, y = friedman
    reg = NumpyMLPRegressor(random_state=0)
    for start in range(0, 600, 200):
        reg.partial_fit(X[start : start + 200], y[start : start + 200])
    assert reg.n_iter_ == 3 and reg.t_ == 600
    reg.set_params(warm_start=True, epochs=2, tol=None).fit(X, y)
    assert reg.n_iter_ == 2 and len(reg.loss_curve_) == 5 and reg.t_ == 1800


def test_early_stopping_scores_the_held_out_set_by_r2(friedman):
    X, y = friedman
    reg = NumpyMLPRegressor(early_stopping=True, epochs=300, random_state=0)
    reg.fit(X, y)
    assert reg.n_iter_ < 300
    assert len(reg.validation_scores_) == len(reg.validation_loss_curve_)
    best = int(np.argmin(reg.validation_loss_curve_))
    assert reg.best_validation_score_ == reg.validation_scores_[best]
    assert 0.8 < reg.best_validation_score_ <= 1
    assert reg.best_loss_ is None


def test_failed_fit_leaves_the_regressor_unchanged(friedman):
    X, y = friedman
    reg = NumpyMLPRegressor(epochs=5, tol=None, random_state=0).fit(X, y)
    before = reg.predict(X)
    for params, bad_y, match in [
        ({"warm_start": True}, np.c_[y, y], "y has 2 outputs but the network"),
        ({"warm_start": True, "loss": "poisson"}, y, "needs a 'exp' output"),
        ({"loss": "poisson"}, y - 10, "needs non-negative targets"),
        ({"alpha": 1e4, "solver": "sgd"}, y * 1e3, "Training diverged"),
        ({}, np.where(y > 20, np.nan, y), "Input y contains NaN"),
    ]:
        reg.set_params(**params)
        with pytest.raises(ValueError, match=match):
            reg.fit(X, bad_y)
        np.testing.assert_array_equal(reg.predict(X), before)
        reg.set_params(warm_start=False, loss="squared_error", alpha=0.003)
        reg.set_params(solver="adam")
    unfitted = NumpyMLPRegressor(loss="poisson")
    with pytest.raises(ValueError, match="non-negative"):
        unfitted.fit(X, y - 10)
    with pytest.raises(NotFittedError):
        check_is_fitted(unfitted)


def test_verbose_and_callbacks(friedman, capsys):
    pytest.importorskip("sklearn.callback")
    X, y = friedman
    epochs = []

    class Recorder(Callback):
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name == "epoch":
                epochs.append(fitted_estimator.score(X, y))
            return False

    reg = NumpyMLPRegressor(epochs=3, tol=None, verbose=1, random_state=0)
    reg.set_callbacks(Recorder()).fit(X, y)
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    assert len(epochs) == 3 and epochs[-1] == reg.score(X, y)


def _cv_r2(model, X, y):
    cv = KFold(5, shuffle=True, random_state=0)
    return cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=cv).mean()


@pytest.mark.parametrize(
    "data",
    [
        load_diabetes(return_X_y=True),
        make_friedman1(n_samples=2000, noise=0.5, random_state=0),
    ],
    ids=["diabetes", "friedman1"],
)
def test_quality_matches_mlpregressor(data):
    X, y = data
    network = dict(hidden_layer_sizes=(64,), activation="relu", solver="adam")
    ours = NumpyMLPRegressor(
        alpha=1e-3, l2=1e-4, batch_size=32, epochs=300, tol=None, **network
    )
    theirs = MLPRegressor(
        learning_rate_init=1e-3, alpha=1e-4, batch_size=32, max_iter=300, **network
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        r2_ours = _cv_r2(ours.set_params(random_state=0), X, y)
        r2_theirs = _cv_r2(
            theirs.set_params(random_state=0, tol=0.0, n_iter_no_change=301), X, y
        )
    print(f"5-fold R²: sknumpynet {r2_ours:.4f}, MLPRegressor {r2_theirs:.4f}")
    assert r2_ours >= r2_theirs - 0.02


def test_poisson_loss_stays_finite_where_a_prediction_underflows():
    from sknumpynet._math.losses import half_poisson_deviance

    Y = np.array([[2.0, 1.0], [0.0, 3.0]])
    P = np.array([[0.0, 1.0], [1.0, 3.0]])  # exp(-800) is 0.0
    tiny = np.finfo(np.float64).tiny
    expected = (2 * np.log(2 / tiny) - 2 + tiny) + 0.0 + (0 - 0 + 1) + 0.0
    assert half_poisson_deviance(Y, P) == pytest.approx(expected)
    weighted = half_poisson_deviance(Y, P, np.array([0.5, 2.0]))
    assert weighted == pytest.approx(0.5 * (expected - 1) + 2 * 1)
