"""The training loop against a plain reference implementation of one epoch.

The reference is backpropagation as a textbook writes it, with none of the
loop's speed tricks (no buffers, no flat parameter vector, no in-place
derivatives). It draws from the random stream in the estimator's order: each
layer's weights then its biases, then the epoch's permutation.
"""

import warnings

import numpy as np
import pytest

from sknumpynet import NumpyMLPClassifier


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def reference_epoch(X, y, hidden, params, seed):
    """One epoch of minibatch training of a tanh network; return W and b."""
    dtype = X.dtype
    rng = np.random.RandomState(seed)
    sizes = [X.shape[1], *hidden, int(y.max()) + 1]
    W, b = [], []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = np.sqrt(6 / (fan_in + fan_out))
        W.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        b.append(rng.uniform(-bound, bound, fan_out).astype(dtype))
    order = rng.permutation(X.shape[0])
    lr, l2, mu = params["alpha"], params.get("l2", 0.0), params.get("momentum", 0.0)
    b1, b2, eps = 0.9, 0.999, 1e-8
    state = {"t": 0, "v": [np.zeros_like(p) for p in W + b]}
    state["m"] = [np.zeros_like(p) for p in W + b]
    for start in range(0, X.shape[0], params["batch_size"]):
        idx = order[start : start + params["batch_size"]]
        n = len(idx)
        A = [X[idx]]
        for i in range(len(W)):
            Z = A[-1] @ W[i] + b[i]
            A.append(np.tanh(Z) if i < len(W) - 1 else _softmax(Z))
        delta = A[-1].copy()
        delta[np.arange(n), y[idx]] -= 1  # the gradient of the loss: P - Y
        delta /= n
        gW, gb = [None] * len(W), [None] * len(W)
        for i in reversed(range(len(W))):
            gW[i] = A[i].T @ delta + l2 / n * W[i]
            gb[i] = delta.sum(axis=0)
            if i > 0:
                delta = (delta @ W[i].T) * (1 - A[i] ** 2)
        params_ = W + b
        for k, (p, g) in enumerate(zip(params_, gW + gb)):
            if params.get("solver") == "adam":
                t = state["t"] + 1
                state["m"][k] = b1 * state["m"][k] + (1 - b1) * g
                state["v"][k] = b2 * state["v"][k] + (1 - b2) * g * g
                step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
                p -= step * state["m"][k] / (np.sqrt(state["v"][k]) + eps)
            elif mu:  # Nesterov's momentum
                state["v"][k] = mu * state["v"][k] - lr * g
                p += mu * state["v"][k] - lr * g
            else:
                p -= lr * g
        state["t"] += 1
    return W, b


@pytest.mark.parametrize(
    "params",
    [
        dict(alpha=0.1),
        dict(alpha=0.1, l2=0.5),
        dict(alpha=0.01, momentum=0.9),
        dict(solver="adam", alpha=0.01),
    ],
    ids=["sgd", "sgd with l2", "momentum", "adam"],
)
@pytest.mark.parametrize("hidden", [(10,), (16, 8)])
def test_one_epoch_equals_the_reference(digits, params, hidden):
    X, y = digits
    X = X.astype(np.float32)
    params = {"batch_size": 32, "l2": 0.0, **params}
    W, b = reference_epoch(X, y, hidden, params, seed=3)
    clf = NumpyMLPClassifier(
        hidden, epochs=1, tol=None, learning_rate="constant", random_state=3, **params
    ).fit(X, y)
    for ours, theirs in zip(clf.coefs_ + clf.intercepts_, W + b):
        assert ours.dtype == np.float32
        # Equal up to float32 rounding of differently ordered sums.
        np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [100, 20_000])
def test_tanh_is_tanh(dtype, n):
    """inplace_tanh equals np.tanh to within 2 ulp, small arrays or large.

    Large arrays take the formula of tanh_via_exp, small ones np.tanh.
    """
    from sknumpynet._math.activations import inplace_tanh

    rng = np.random.RandomState(0)
    specials = [0.0, 1e-8, -1e-8, 50, -50, 1e30, -1e30, np.inf, -np.inf, np.nan]
    Z = np.concatenate([rng.normal(scale=3, size=n), specials]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow of exp(2 Z) is expected
        got = inplace_tanh(Z.copy())
    expected = np.tanh(Z)
    np.testing.assert_allclose(got, expected, rtol=0, atol=2 * np.finfo(dtype).eps)
    assert got.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_via_exp_works_in_place(dtype):
    # Training allocates no temporary array: the activation overwrites Z.
    from sknumpynet._math.activations import tanh_via_exp

    Z = np.linspace(-5, 5, 20_000, dtype=dtype).reshape(100, 200)
    expected = np.tanh(Z)
    out = tanh_via_exp(Z)
    assert out is Z
    np.testing.assert_allclose(Z, expected, rtol=0, atol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_arrays_take_the_exp_formula_and_small_ones_numpys_tanh(dtype):
    from sknumpynet._math.ops import _TANH_VIA_EXP_FROM, tanh, tanh_via_exp

    rng = np.random.RandomState(0)
    for size, formula in [
        (_TANH_VIA_EXP_FROM[np.dtype(dtype)], tanh_via_exp),
        (_TANH_VIA_EXP_FROM[np.dtype(dtype)] // 2, np.tanh),
    ]:
        Z = rng.normal(scale=3, size=(size // 64, 64)).astype(dtype)
        expected = formula(Z.copy())
        other = (np.tanh if formula is tanh_via_exp else tanh_via_exp)(Z.copy())
        assert not np.array_equal(expected, other)  # the two tell apart
        np.testing.assert_array_equal(tanh(Z, out=Z), expected)


@pytest.mark.parametrize(
    "name", ["identity", "tanh", "logistic", "relu", "softmax", "exp"]
)
def test_under_numpy_each_activation_works_in_place(name):
    # "Always use what they return": under NumPy that is the array given.
    from sknumpynet._math.activations import ACTIVATIONS, DERIVATIVES

    rng = np.random.RandomState(0)
    Z = rng.normal(size=(8, 5))
    assert ACTIVATIONS[name](Z, np) is Z
    if name in DERIVATIVES:
        A, delta = np.tanh(rng.normal(size=(8, 5))), rng.normal(size=(8, 5))
        assert DERIVATIVES[name](A, delta, np) is delta


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_tanh_of_any_float_dtype_is_numpys(dtype):
    # Only float32 and float64 have a size from which the exp formula pays.
    from sknumpynet._math.ops import tanh

    Z = np.linspace(-3, 3, 64 * 64).reshape(64, 64).astype(dtype)
    expected = np.tanh(Z)
    np.testing.assert_array_equal(tanh(Z.copy()), expected)
    result = tanh(Z, out=Z)
    assert result is Z
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("name", ["softmax", "logistic"])
def test_log_output_activations_of_a_stack_are_each_networks(name):
    # The math functions take a stack (networks, samples, units) as well.
    from sknumpynet._math.activations import ACTIVATIONS, LOG_OUTPUT_ACTIVATIONS

    Z = np.random.RandomState(0).normal(scale=5, size=(3, 6, 4))
    stacked = LOG_OUTPUT_ACTIVATIONS[name](Z, np)
    for j in range(3):
        np.testing.assert_allclose(
            stacked[j], LOG_OUTPUT_ACTIVATIONS[name](Z[j], np), rtol=1e-15
        )
        probabilities = ACTIVATIONS[name](Z[j].copy(), np)
        np.testing.assert_allclose(np.exp(stacked[j]), probabilities, rtol=1e-12)
