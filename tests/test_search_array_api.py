"""Stacks of networks and MLPGridSearchCV in other array namespaces."""

import numpy as np
import pytest
import sklearn

from sknumpynet import MLPGridSearchCV, NumpyMLPClassifier
from sknumpynet._search import path
from sknumpynet._search.path import fit_path

try:
    import torch
except ImportError:  # the PyTorch tests skip; array-api-strict's still run
    torch = None
needs_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed: pip install torch"
)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:300], y[:300]


def _namespace(name):
    if name == "array_api_strict device1":  # a device that is not the default
        xp = pytest.importorskip("array_api_strict")
        device = xp.Device("device1")
        return (
            lambda a: xp.asarray(a, device=device),
            lambda a: np.asarray(a.to_device(xp.Device("CPU_DEVICE"))),
        )
    xp = pytest.importorskip(name)
    if name == "torch":
        return xp.asarray, lambda a: a.numpy()
    return xp.asarray, np.asarray


@pytest.mark.parametrize(
    "name", ["torch", "array_api_strict", "array_api_strict device1"]
)
@pytest.mark.parametrize(
    "params, members",
    [
        ({"momentum": 0.5}, [{"alpha": 0.05}, {"alpha": 0.2, "momentum": 0.9}]),
        (
            {"solver": "adam", "dropout": 0.1, "early_stopping": True},
            [{"alpha": 0.01}, {"alpha": 0.003, "beta_1": 0.8}],
        ),
    ],
    ids=["sgd-momentum", "adam-dropout-early-stopping"],
)
def test_a_stack_trains_as_on_numpy(data, name, params, members):
    """Each network of a stack, on the device, equals the NumPy stack to rounding."""
    X, y = data
    to, back = _namespace(name)
    estimator = NumpyMLPClassifier(random_state=0, tol=None, dtype="float64", **params)
    expected, *_ = fit_path(estimator, members, [1, 3], X, y, {})
    with sklearn.config_context(array_api_dispatch=True):
        models, *_ = fit_path(estimator, members, [1, 3], to(X), to(y), {})
    for ours, theirs in zip(models, expected):
        for epochs in (1, 3):
            for a, b in zip(ours[epochs].coefs_, theirs[epochs].coefs_):
                np.testing.assert_allclose(back(a), b, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(
                ours[epochs].loss_curve_, theirs[epochs].loss_curve_, rtol=1e-9
            )


@needs_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_search_on_torch_equals_search_on_numpy(data, dtype):
    X, y = data
    X = X.astype(dtype)
    grid = {"alpha": [0.05, 0.2], "momentum": [0.0, 0.5], "epochs": [1, 3]}
    estimator = NumpyMLPClassifier(random_state=0, tol=None)
    expected = MLPGridSearchCV(estimator, grid, cv=3).fit(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        search = MLPGridSearchCV(estimator, grid, cv=3)
        search.fit(torch.asarray(X), torch.asarray(y))
    assert search.best_estimator_.coefs_[0].dtype == getattr(torch, dtype)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        expected.cv_results_["mean_test_score"],
        atol=1e-12 if dtype == "float64" else 0.01,
    )
    assert search.best_params_ == expected.best_params_
    assert isinstance(search.best_estimator_.coefs_[0], torch.Tensor)


@pytest.mark.parametrize("name", ["torch", "array_api_strict"])
def test_members_leave_and_resume_as_on_numpy(data, name, monkeypatch):
    """A stack sheds its finished members and goes on from a saved stack."""
    X, y = data
    trained = []
    real = path.minibatch_epochs

    def recorded(stack, *args, epochs, **kwargs):
        trained.append((len(stack.members), epochs))
        return real(stack, *args, epochs=epochs, **kwargs)

    monkeypatch.setattr(path, "minibatch_epochs", recorded)
    to, back = _namespace(name)
    estimator = NumpyMLPClassifier(
        solver="adam", random_state=0, tol=None, dtype="float64"
    )
    members = [{"alpha": 0.01}, {"alpha": 0.003, "beta_1": 0.8}, {"alpha": 0.02}]
    own = [[1], [2, 4], [3]]  # the first and the last leave before the end
    survivors, later = [members[1]], [[5]]

    def run(X, y):
        models, _, saved = fit_path(estimator, members, own, X, y, {})
        more, *_ = fit_path(estimator, survivors, later, X, y, {}, resume=saved)
        return models, more

    expected, expected_more = run(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        models, more = run(to(X), to(y))
    pairs = [(models[j][e], expected[j][e]) for j, c in enumerate(own) for e in c]
    pairs.append((more[0][5], expected_more[0][5]))
    for ours, theirs in pairs:
        for a, b in zip(ours.coefs_, theirs.coefs_):
            np.testing.assert_allclose(back(a), b, rtol=1e-9, atol=1e-12)
        assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    # Three networks for an epoch, two more to the third, the last one alone
    # to the fourth, then on from there to the fifth: in both namespaces.
    assert trained == 2 * [(3, 1), (2, 2), (1, 1), (1, 1)]
