"""Backpropagation against central finite differences, in float64."""

import numpy as np
import pytest

from sknumpynet._math.layout import Workspace
from sknumpynet._math.network import Network
from sknumpynet._math.targets import Targets


def _numeric_gradient(network, loss):
    """Central differences of ``loss()`` over every parameter."""
    flat = network.flat
    numeric = np.empty_like(flat)
    eps = 1e-6
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + eps
        plus = loss()
        flat[k] = saved - eps
        minus = loss()
        flat[k] = saved
        numeric[k] = (plus - minus) / (2 * eps)
    return numeric


def _check(
    network,
    X,
    y,
    scale,
    l2,
    order=None,
    batch=None,
    batch_size=None,
    step=1,
    masks=None,
    keep=1.0,
):
    """Backprop's gradient of one batch against finite differences of its loss.

    The batch is rows ``batch`` (start, stop) of an epoch of X in ``order``
    cut into batches of ``batch_size``; by default, all of X in order.
    """
    n = X.shape[0]
    order = np.arange(n) if order is None else order
    start, stop = (0, n) if batch is None else batch
    batch_size = stop - start if batch_size is None else batch_size
    targets = Targets(
        network.out_activation, network.layer_units[-1], n, batch_size, X.dtype
    ).fill(y, scale, order, step)
    X_batch = X[order[start:stop]]
    workspace = Workspace(batch_size, network.layer_units, X.dtype, False, gather=False)

    def loss():
        total = network.backprop(
            X_batch, targets, start, stop, l2, workspace, masks, keep
        )
        return (total + targets.recorded_loss(start, stop)) / (stop - start)

    loss()
    # The gradient comes multiplied by the step (an SGD learning rate).
    analytic = workspace.flat_grad / step
    # relu has kinks; no sample sits on one with these random weights.
    np.testing.assert_allclose(
        analytic, _numeric_gradient(network, loss), rtol=1e-5, atol=1e-8
    )


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("hidden", [(4,), (5, 3), (4, 3, 2), (20, 3)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_backprop_matches_finite_differences(
    activation, n_classes, hidden, weighted, l2
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 6))
    y = np.arange(20) % n_classes
    network = Network.initialize(
        [6, *hidden, n_classes], activation, "softmax", np.float64, rng
    )
    scale = rng.uniform(0, 2, size=20) if weighted else None
    _check(network, X, y, scale, l2)


def test_backprop_matches_finite_differences_multilabel():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(15, 4))
    Y = (rng.uniform(size=(15, 3)) > 0.5).astype(float)
    network = Network.initialize([4, 5, 3], "tanh", "logistic", np.float64, rng)
    _check(network, X, Y, None, 0.0)
    _check(network, X, Y, rng.uniform(0, 2, size=15), 0.2)


@pytest.mark.parametrize("out_activation", ["identity", "exp"])
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_backprop_matches_finite_differences_regression(
    out_activation, n_outputs, weighted, l2
):
    # Half squared error (identity output) and half Poisson deviance (exp).
    rng = np.random.RandomState(2)
    X = rng.normal(size=(20, 5))
    if out_activation == "exp":
        Y = rng.poisson(2.0, size=(20, n_outputs)).astype(float)
    else:
        Y = rng.normal(size=(20, n_outputs))
    network = Network.initialize(
        [5, 6, 4, n_outputs], "tanh", out_activation, np.float64, rng
    )
    scale = rng.uniform(0, 2, size=20) if weighted else None
    _check(network, X, Y, scale, l2)


@pytest.mark.parametrize("out_activation", ["softmax", "logistic", "identity"])
@pytest.mark.parametrize("batch", [(0, 7), (7, 14), (14, 20)])
@pytest.mark.parametrize("weighted", [False, True])
def test_backprop_of_a_batch_of_a_shuffled_epoch(out_activation, batch, weighted):
    """A batch slices the epoch's targets: batches of 7, the last one of 6."""
    rng = np.random.RandomState(3)
    X = rng.normal(size=(20, 5))
    if out_activation == "softmax":
        y = np.arange(20) % 4
    else:
        y = rng.uniform(size=(20, 4))
        y = (y > 0.5).astype(float) if out_activation == "logistic" else y
    network = Network.initialize([5, 6, 4], "tanh", out_activation, np.float64, rng)
    scale = rng.uniform(0, 2, size=20) if weighted else None
    order = rng.permutation(20)
    _check(network, X, y, scale, 0.1, order, batch, batch_size=7, step=0.25)


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic"])
@pytest.mark.parametrize("dropout", [0.2, 0.5])
def test_backprop_with_dropout_masks_matches_finite_differences(activation, dropout):
    # The loss with fixed inverted-dropout masks is a function of the
    # weights like any other; its gradient must match backprop's.
    from sknumpynet._training.epoch import _dropout_masks

    rng = np.random.RandomState(4)
    X = rng.normal(size=(16, 5))
    y = np.arange(16) % 3
    network = Network.initialize([5, 6, 4, 3], activation, "softmax", np.float64, rng)
    masks = _dropout_masks(rng, 16, [6, 4], dropout, np.dtype(np.float64))
    assert any((m == 0).any() for m in masks)
    _check(network, X, y, None, 0.1, masks=masks, keep=1.0 - dropout)


@pytest.mark.parametrize("dropout", [0.1, 0.5, 0.9])
def test_inverted_dropout_masks_keep_the_expected_activation(dropout):
    from sknumpynet._training.epoch import _dropout_masks

    rng = np.random.RandomState(0)
    (mask32,) = _dropout_masks(rng, 10, [5], dropout, np.dtype(np.float32))
    assert mask32.dtype == np.float32  # the network's precision
    (mask,) = _dropout_masks(rng, 20_000, [50], dropout, np.dtype(np.float64))
    kept = mask > 0
    np.testing.assert_allclose(kept.mean(), 1 - dropout, atol=0.01)
    # Kept units are scaled by 1 / keep, so the mean activation is unchanged.
    np.testing.assert_allclose(mask[kept], 1 / (1 - dropout), rtol=1e-12)
    np.testing.assert_allclose(mask.mean(), 1.0, atol=0.02)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
def test_backprop_works_in_place(activation, dtype):
    # The activations, their derivatives and the output delta write into the
    # workspace: a batch allocates nothing the size of a layer (NumPy's own
    # buffers stay under 64 kB), which is the training loop's speed.
    import tracemalloc

    rng = np.random.RandomState(0)
    n, units = 256, 256
    network = Network.initialize(
        [64, units, units, units], activation, "softmax", dtype, rng
    )
    X = rng.rand(n, 64).astype(dtype)
    targets = Targets("softmax", units, n, n, dtype).fill(
        rng.randint(0, units, n), None, np.arange(n), 0.1
    )
    workspace = Workspace(n, network.layer_units, dtype, False)
    for _ in range(2):
        network.backprop(
            workspace.take_rows(X, np.arange(n)), targets, 0, n, 1e-4, workspace
        )
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        network.backprop(
            workspace.take_rows(X, np.arange(n)), targets, 0, n, 1e-4, workspace
        )
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    layer = n * units * np.dtype(dtype).itemsize  # 256 or 512 kB
    assert peak < layer / 2, peak  # measured 35 and 69 kB


def test_a_dropout_fit_steps_along_the_gradient_of_its_masked_loss():
    # One batch of the whole data, one epoch: the fit's step is alpha times
    # the gradient of the loss under the masks it drew (finite differences).
    from sklearn.utils import check_random_state

    from sknumpynet import NumpyMLPClassifier
    from sknumpynet._training.epoch import _dropout_masks

    rng = np.random.RandomState(3)
    X, y = rng.normal(size=(12, 4)), np.arange(12) % 3
    params = dict(
        hidden_layer_sizes=(5,), dropout=0.4, alpha=0.5, l2=0.0, shuffle=False
    )
    fit = NumpyMLPClassifier(
        **params, batch_size=12, epochs=1, tol=None, random_state=0, dtype="float64"
    ).fit(X, y)
    draws = check_random_state(0)
    network = Network.initialize([4, 5, 3], "tanh", "softmax", np.float64, draws)
    masks = _dropout_masks(draws, 12, [5], 0.4, np.dtype(np.float64))
    start = network.flat.copy()
    targets = Targets("softmax", 3, 12, 12, np.float64).fill(y, None, np.arange(12))
    workspace = Workspace(12, [4, 5, 3], np.float64, False, gather=False)

    def loss():
        total = network.backprop(X, targets, 0, 12, None, workspace, masks, 0.6)
        return (total + targets.recorded_loss(0, 12)) / 12

    gradient = _numeric_gradient(network, loss)
    stepped = Network.from_weights(fit.coefs_, fit.intercepts_, "tanh", "softmax")
    np.testing.assert_allclose(stepped.flat, start - 0.5 * gradient, atol=1e-8)


def test_true_class_probabilities_are_gathered_without_a_copy():
    # take() with an out array buffers the whole result unless told how to
    # treat out-of-bounds indices: a hidden copy per batch (1.2 against 0.5 us).
    import tracemalloc

    from sknumpynet._math.ops import transpose, true_class_proba

    rng = np.random.RandomState(0)
    n, classes = 4096, 10
    P = transpose(rng.rand(classes, n))  # column-major, as the workspace's
    y = rng.randint(0, classes, n)
    out, flat_index = np.empty(n), y * n + np.arange(n)
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        result = true_class_proba(y, P, out=out, flat_index=flat_index)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert result is out
    np.testing.assert_array_equal(out, P[np.arange(n), y])
    assert peak < out.nbytes / 4, peak  # measured 264 bytes; a copy is 32 kB
