"""The losses a fit reports are scikit-learn's metrics of the same predictions."""

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_poisson_deviance, mean_squared_error

from sknumpynet import NumpyMLPClassifier, NumpyMLPRegressor
from sknumpynet._math.activations import ACTIVATIONS
from sknumpynet._math.network import Network


def _network(out_activation, n_outputs, rng):
    return Network.initialize(
        [4, 5, n_outputs], "tanh", out_activation, np.float64, rng
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_network_loss_is_the_mean_log_loss(weighted):
    rng = np.random.RandomState(0)
    network = _network("softmax", 3, rng)
    X, y = rng.normal(size=(40, 4)), rng.randint(0, 3, 40)
    sw = rng.uniform(0.1, 3, 40) if weighted else None
    Z = network.logits(X)
    P = ACTIVATIONS["softmax"](Z.copy())
    expected = log_loss(y, P, sample_weight=sw, labels=[0, 1, 2])
    np.testing.assert_allclose(network.loss(Z, y, sw), expected, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_network_loss_is_half_the_squared_error(weighted):
    rng = np.random.RandomState(0)
    network = _network("identity", 2, rng)
    X, Y = rng.normal(size=(40, 4)), rng.normal(size=(40, 2))
    sw = rng.uniform(0.1, 3, 40) if weighted else None
    Z = network.logits(X)
    # Half the squared error summed over the outputs, averaged over samples.
    expected = mean_squared_error(Y, Z, sample_weight=sw) * 2 / 2
    np.testing.assert_allclose(network.loss(Z.copy(), Y, sw), expected, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_network_loss_is_half_the_poisson_deviance(weighted):
    rng = np.random.RandomState(0)
    network = _network("exp", 1, rng)
    X, Y = rng.normal(size=(40, 4)), rng.poisson(2.0, size=(40, 1)).astype(float)
    sw = rng.uniform(0.1, 3, 40) if weighted else None
    Z = network.logits(X)
    expected = mean_poisson_deviance(Y[:, 0], np.exp(Z[:, 0]), sample_weight=sw) / 2
    np.testing.assert_allclose(network.loss(Z.copy(), Y, sw), expected, rtol=1e-12)


# With a vanishing step the weights hardly move, so the mean loss of an epoch
# is the loss of the final weights, which scikit-learn's metrics compute from
# the predictions.
TINY = dict(alpha=1e-12, learning_rate="constant", l2=0.0, tol=None, epochs=2)


@pytest.mark.parametrize("weighted", [False, True])
def test_classifier_loss_is_log_loss(digits, weighted):
    X, y = digits
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y)) if weighted else None
    clf = NumpyMLPClassifier(random_state=0, **TINY).fit(X, y, sample_weight=sw)
    expected = log_loss(y, clf.predict_proba(X), sample_weight=sw)
    np.testing.assert_allclose(clf.loss_, expected, rtol=1e-8)
    np.testing.assert_allclose(clf.loss_curve_, [expected] * 2, rtol=1e-8)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_loss_is_the_metric(loss):
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(300, 3))
    y = rng.poisson(1 + 3 * X[:, 0]).astype(float)
    reg = NumpyMLPRegressor(loss=loss, random_state=0, **TINY).fit(X, y)
    pred = reg.predict(X)
    if loss == "poisson":
        expected = mean_poisson_deviance(y, pred) / 2
    else:
        expected = mean_squared_error(y, pred) / 2
    np.testing.assert_allclose(reg.loss_, expected, rtol=1e-8)


def test_lbfgs_loss_is_the_objective_at_the_final_weights(digits):
    X, y = digits
    clf = NumpyMLPClassifier(solver="lbfgs", l2=0.0, epochs=20, tol=None)
    clf.set_params(random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.loss_, log_loss(y, clf.predict_proba(X)), rtol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_validation_loss_curve_is_the_held_out_log_loss(digits, monkeypatch, weighted):
    # The held-out set is the one the estimator's split chose: recorded here.
    import sknumpynet._estimators.validation_set as base

    held_out = {}
    split = base.validation_split

    def recording_split(X, y, sample_weight, fraction, rng):
        train_idx, val_idx = split(X, y, sample_weight, fraction, rng)
        held_out["idx"] = val_idx
        return train_idx, val_idx

    monkeypatch.setattr(base, "validation_split", recording_split)
    X, y = digits
    sw = np.random.RandomState(1).uniform(0.5, 2, len(y)) if weighted else None
    clf = NumpyMLPClassifier(
        early_stopping=True, epochs=3, tol=None, random_state=0
    ).fit(X, y, sample_weight=sw)
    idx = held_out["idx"]
    # The model is the epoch of lowest held-out loss, which early stopping restores.
    expected = log_loss(
        y[idx], clf.predict_proba(X[idx]), sample_weight=None if sw is None else sw[idx]
    )
    np.testing.assert_allclose(min(clf.validation_loss_curve_), expected, rtol=1e-8)
    np.testing.assert_allclose(clf.best_validation_loss_, expected, rtol=1e-8)
    assert len(set(clf.validation_loss_curve_)) == 3


def test_binary_cross_entropy_is_finite_where_a_probability_is_0_or_1():
    from sknumpynet._math.losses import binary_cross_entropy

    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    P = np.array([[0.0, 1.0], [1.0, 0.0]])  # logistic outputs that saturated
    eps = np.finfo(np.float64).eps
    expected = -4 * np.log(eps)  # each output clipped to eps from the wrong end
    assert binary_cross_entropy(Y, P) == pytest.approx(expected, rel=1e-6)
    assert binary_cross_entropy(Y, 1 - P) == pytest.approx(-4 * np.log1p(-eps))
