"""L-BFGS: its objective, its stopping rules, its warnings and its failures."""

import warnings

import numpy as np
import pytest
from callback_helpers import Callback
from sklearn.exceptions import ConvergenceWarning

from sknumpynet import NumpyMLPClassifier, NumpyMLPRegressor, TrainingDiverged


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NumpyMLPClassifier(solver="lbfgs", random_state=0, **params).fit(X, y)


def _weight_norm(clf):
    return sum(float(np.sum(c**2)) for c in clf.coefs_)


def test_l2_is_part_of_the_objective(digits):
    X, y = digits[0][:400], digits[1][:400]
    free = _fit(X, y, l2=0.0, epochs=200)
    penalised = _fit(X, y, l2=1.0, epochs=200)
    assert _weight_norm(penalised) < 0.1 * _weight_norm(free)
    # The reported loss includes the penalty: l2 / 2 ||W||^2 / n.
    from sklearn.metrics import log_loss

    data_loss = log_loss(y, penalised.predict_proba(X))
    penalty = 0.5 * _weight_norm(penalised) / len(y)
    np.testing.assert_allclose(penalised.loss_, data_loss + penalty, rtol=1e-6)


def test_tol_is_the_gradient_tolerance(digits):
    X, y = digits[0][:400], digits[1][:400]
    loose = _fit(X, y, tol=1e-1, epochs=500)
    tight = _fit(X, y, tol=1e-8, epochs=500)
    assert loose.n_iter_ < tight.n_iter_


def test_hitting_the_iteration_limit_with_a_tol_warns(digits):
    X, y = digits
    clf = NumpyMLPClassifier(solver="lbfgs", epochs=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match="L-BFGS stopped without"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2


def test_tol_none_runs_exactly_epochs_iterations_without_a_warning(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = NumpyMLPClassifier(solver="lbfgs", epochs=3, tol=None).fit(X, y)
    assert clf.n_iter_ == 3


def test_the_evaluation_limit_warns(digits):
    X, y = digits
    clf = NumpyMLPClassifier(solver="lbfgs", epochs=100, max_fun=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_fun"):
        clf.fit(X, y)
    assert clf.n_iter_ <= 5


def test_divergence_raises_and_changes_nothing(digits):
    # X of 1e200 overflows the first layer: the loss is not finite from the
    # start and the line search stops at once, with no iteration done.
    X, y = digits
    target = y / 9.0
    reg = NumpyMLPRegressor(solver="lbfgs", epochs=3, tol=None, warm_start=True)
    reg.fit(X, target)
    before = [c.copy() for c in reg.coefs_]
    for model in (reg, NumpyMLPRegressor(solver="lbfgs", epochs=5)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the error alone, no warning first
            with pytest.raises(TrainingDiverged, match="in epoch 1: .*scale X"):
                with np.errstate(all="ignore"):
                    model.fit(X * 1e200, target)
    for a, b in zip(before, reg.coefs_):
        np.testing.assert_array_equal(a, b)


def test_best_loss_is_the_lowest_over_warm_started_calls(digits):
    X, y = digits
    clf = _fit(X, y, epochs=30, warm_start=True, tol=None)
    first = clf.best_loss_
    assert first == clf.loss_
    clf.fit(X[:200], y[:200])  # another objective, warm-started
    assert clf.best_loss_ == min(first, clf.loss_)
    # A call whose loss stays above the best of the earlier ones keeps it.
    shuffled = np.random.RandomState(0).permutation(y[:200])
    clf.set_params(epochs=1).fit(X[:200], shuffled)
    assert clf.loss_ > first
    assert clf.best_loss_ == min(first, clf.loss_curve_[-2]) < clf.loss_


class _Predicts(Callback):
    """Records the training loss of the mid-fit model of every iteration."""

    def __init__(self, X, y):
        self.X, self.y, self.losses = X, y, []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            from sklearn.metrics import log_loss

            proba = fitted_estimator.predict_proba(self.X)
            self.losses.append(log_loss(self.y, proba))
        return False


def test_a_callback_predicts_with_each_iterations_weights(digits):
    pytest.importorskip("sklearn.callback")
    X, y = digits
    recorder = _Predicts(X, y)
    clf = NumpyMLPClassifier(solver="lbfgs", l2=0.0, epochs=5, tol=None)
    clf.set_callbacks(recorder).fit(X, y)
    np.testing.assert_allclose(recorder.losses, clf.loss_curve_, rtol=1e-6)


def test_ctrl_c_before_the_first_iteration_keeps_the_initial_network(
    digits, monkeypatch
):
    import sknumpynet._math.network as network

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(network.Network, "backprop", interrupted)
    X, y = digits
    clf = NumpyMLPClassifier(solver="lbfgs", random_state=0)
    with pytest.warns(UserWarning, match="kept the weights of the 0 iteration"):
        clf.fit(X, y)
    monkeypatch.undo()
    assert clf.n_iter_ == 0 and clf.loss_curve_ == []
    fresh = NumpyMLPClassifier(solver="lbfgs", random_state=0, epochs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh.fit(X, y)
    # The initial network: the same draw as any fit with this random_state.
    assert clf.coefs_[0].shape == fresh.coefs_[0].shape
    assert not np.array_equal(clf.coefs_[0], fresh.coefs_[0])


def test_a_validation_set_is_scored_every_iteration(digits):
    X, y = digits
    clf = _fit(X[:1200], y[:1200], epochs=7, tol=None)
    clf.fit(X[:1200], y[:1200], X_val=X[1200:], y_val=y[1200:])
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 7
    assert clf.validation_scores_[-1] == pytest.approx(clf.score(X[1200:], y[1200:]))


@pytest.mark.parametrize("out_activation", ["softmax", "identity"])
def test_the_objective_gives_l_bfgs_the_gradient_of_its_loss(out_activation):
    # scipy's line search needs the exact gradient of the loss it is given:
    # a gradient off by a factor still trains, but not as L-BFGS does.
    from scipy.optimize import approx_fprime

    from sknumpynet._math.network import Network
    from sknumpynet._training.lbfgs import _Objective

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    outputs = 3
    y = rng.randint(0, outputs, 30)
    if out_activation == "identity":
        y = rng.normal(size=(30, outputs))
    network = Network.initialize(
        [4, 5, outputs], "tanh", out_activation, np.float64, rng
    )
    objective = _Objective(network, X, y, rng.uniform(0.5, 2.0, 30), l2=0.3)
    packed = objective.start + rng.normal(scale=0.1, size=objective.start.shape)
    loss, grad = objective(packed)
    numeric = approx_fprime(packed, lambda w: objective(w)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-6)
    assert loss == objective(packed)[0]
