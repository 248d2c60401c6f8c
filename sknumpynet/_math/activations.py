"""Activation functions, each beside its derivative.

Every activation takes the pre-activation ``Z`` of shape ``(...,
n_samples, n_units)`` (the leading axis, when there is one, a stack of
networks) and returns the layer's output; every derivative is written in
terms of that *output* ``A`` and multiplies the error signal ``delta``, as in
scikit-learn's ``sklearn/neural_network/_base.py``. Always use what they
return.

Each is its formula, once, for every array library (NumPy, PyTorch, CuPy,
... see ``array_api.py``), written with the operations of ``ops.py``: under
NumPy they work in place (``out=``), so that a training step allocates no
temporary array: the activation overwrites ``Z``, the derivative overwrites
``delta`` and uses ``A`` as scratch space (backpropagation needs a layer's
output no more once its derivative is taken). Other libraries get new
arrays. The ``xp`` argument (the array namespace) is what the output losses
and the log-probabilities below use.
"""

import numpy as np

from .ops import (
    clip_below,
    exp,
    expit,
    multiply,
    sign,
    subtract,
    tanh,
    tanh_via_exp,  # noqa: F401 (documented here, beside tanh)
    unit_max,
    unit_sum,
)


def inplace_identity(Z, xp=np):
    """Return ``Z`` unchanged: the identity activation."""
    return Z


def inplace_identity_derivative(A, delta, xp=np):
    """Return ``delta`` unchanged: the identity has derivative 1."""
    return delta


def inplace_tanh(Z, xp=np):
    """Apply the hyperbolic tangent."""
    return tanh(Z, out=Z)


def inplace_tanh_derivative(A, delta, xp=np):
    """Multiply ``delta`` by ``1 - A**2``, the derivative of tanh."""
    return multiply(delta, subtract(1, multiply(A, A, out=A), out=A), out=delta)


def inplace_logistic(Z, xp=np):
    """Apply the logistic sigmoid ``1 / (1 + exp(-Z))``."""
    return expit(Z, out=Z)


def inplace_logistic_derivative(A, delta, xp=np):
    """Multiply ``delta`` by ``A * (1 - A)``, the derivative of the sigmoid."""
    delta = multiply(delta, A, out=delta)
    return multiply(delta, subtract(1, A, out=A), out=delta)


def inplace_relu(Z, xp=np):
    """Apply the rectified linear unit ``max(Z, 0)``."""
    return clip_below(Z, 0, out=Z)


def inplace_relu_derivative(A, delta, xp=np):
    """Zero ``delta`` where the unit was inactive."""
    # relu's output is >= 0, so its sign is the derivative: 0 or 1.
    return multiply(delta, sign(A, out=A), out=delta)


def inplace_exp(Z, xp=np):
    """Apply the exponential: the inverse of the Poisson log link."""
    return exp(Z, out=Z)


def inplace_softmax(Z, xp=np):
    """Turn each row of ``Z`` into probabilities: ``exp(Z) / sum(exp(Z))``.

    Subtracting the row maximum first keeps ``exp`` from overflowing.
    """
    Z -= unit_max(Z)
    E = exp(Z, out=Z)
    E /= unit_sum(E)
    return E


def log_softmax(Z, xp=np):
    """Return the log of the softmax of each row of ``Z`` (a new array)."""
    Z = Z - xp.max(Z, axis=-1, keepdims=True)
    return Z - xp.log(xp.sum(xp.exp(Z), axis=-1, keepdims=True))


def log_logistic(Z, xp=np):
    """Return ``log(expit(Z))`` without underflow (a new array)."""
    return -xp.logaddexp(xp.zeros_like(Z), -Z)


ACTIVATIONS = {
    "identity": inplace_identity,
    "tanh": inplace_tanh,
    "logistic": inplace_logistic,
    "relu": inplace_relu,
    "softmax": inplace_softmax,
    "exp": inplace_exp,
}

DERIVATIVES = {
    "identity": inplace_identity_derivative,
    "tanh": inplace_tanh_derivative,
    "logistic": inplace_logistic_derivative,
    "relu": inplace_relu_derivative,
}

# Log of the output activation, straight from the pre-activation, so that
# predict_log_proba never takes the log of an underflowed zero.
LOG_OUTPUT_ACTIVATIONS = {
    "softmax": log_softmax,
    "logistic": log_logistic,
}
