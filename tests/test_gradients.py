"""Backpropagation against central finite differences, in float64."""

import numpy as np
import pytest

from sknumpynet import NumpyMLPClassifier
from sknumpynet._mlp import _Buffers


def _loss_and_grad(clf, X, y_encoded, scale):
    layer_units = [X.shape[1]] + [c.shape[1] for c in clf.coefs_]
    buffers = _Buffers(
        X.shape[0], layer_units, X.dtype, sparse_input=False, gather=False
    )
    loss = clf._backprop(X, y_encoded, scale, clf.l2, buffers)
    return loss / X.shape[0], buffers.flat_grad.copy()


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("hidden", [(4,), (5, 3), (4, 3, 2)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_backprop_matches_finite_differences(
    activation, n_classes, hidden, weighted, l2
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 6))
    y = np.arange(20) % n_classes
    clf = NumpyMLPClassifier(
        hidden, activation, epochs=1, l2=l2, random_state=0, tol=None
    ).fit(X, y)
    y_encoded = np.searchsorted(clf.classes_, y)
    scale = rng.uniform(0, 2, size=20) if weighted else None

    _, grad = _loss_and_grad(clf, X, y_encoded, scale)
    flat = clf._flat_params
    numeric = np.empty_like(grad)
    eps = 1e-6
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + eps
        plus, _ = _loss_and_grad(clf, X, y_encoded, scale)
        flat[k] = saved - eps
        minus, _ = _loss_and_grad(clf, X, y_encoded, scale)
        flat[k] = saved
        numeric[k] = (plus - minus) / (2 * eps)
    # relu has kinks; no sample sits on one with these random weights.
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_backprop_matches_finite_differences_multilabel():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(15, 4))
    Y = (rng.uniform(size=(15, 3)) > 0.5).astype(int)
    Y[0], Y[1] = 0, 1
    clf = NumpyMLPClassifier((5,), epochs=1, random_state=0, tol=None).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    _, grad = _loss_and_grad(clf, X, Y.astype(float), None)
    flat = clf._flat_params
    numeric = np.empty_like(grad)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + 1e-6
        plus, _ = _loss_and_grad(clf, X, Y.astype(float), None)
        flat[k] = saved - 1e-6
        minus, _ = _loss_and_grad(clf, X, Y.astype(float), None)
        flat[k] = saved
        numeric[k] = (plus - minus) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
