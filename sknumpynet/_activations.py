"""Activation functions, each beside its derivative.

Every activation works in place on the pre-activation ``Z`` of shape
``(n_samples, n_units)``. Every derivative is written in terms of the layer
*output* ``A`` and multiplies the error signal ``delta`` in place, as in
scikit-learn's ``sklearn/neural_network/_base.py``. A derivative may use
``A`` as scratch space: backpropagation needs a layer's output no more once
its derivative is taken, and no temporary array is allocated.
"""

import numpy as np
from scipy.special import expit


def inplace_identity(Z):
    """Leave ``Z`` unchanged: the identity activation."""
    return Z


def inplace_identity_derivative(A, delta):
    """Leave ``delta`` unchanged: the identity has derivative 1."""


def inplace_tanh(Z):
    """Apply the hyperbolic tangent in place."""
    return np.tanh(Z, out=Z)


def inplace_tanh_derivative(A, delta):
    """Multiply ``delta`` by ``1 - A**2``, the derivative of tanh (A overwritten)."""
    A *= A
    np.subtract(1, A, out=A)
    delta *= A


def inplace_logistic(Z):
    """Apply the logistic sigmoid in place."""
    return expit(Z, out=Z)


def inplace_logistic_derivative(A, delta):
    """Multiply ``delta`` by ``A * (1 - A)``, the derivative of the sigmoid.

    ``A`` is overwritten.
    """
    delta *= A
    np.subtract(1, A, out=A)
    delta *= A


def inplace_relu(Z):
    """Apply the rectified linear unit in place."""
    return np.maximum(Z, 0, out=Z)


def inplace_relu_derivative(A, delta):
    """Zero ``delta`` where the unit was inactive (A overwritten)."""
    # relu's output is >= 0, so its sign is the derivative: 0 or 1.
    delta *= np.sign(A, out=A)


def inplace_exp(Z):
    """Apply the exponential in place: the inverse of the Poisson log link."""
    return np.exp(Z, out=Z)


def inplace_softmax(Z):
    """Turn each row of ``Z`` into probabilities, in place.

    Subtracting the row maximum first keeps ``exp`` from overflowing.
    """
    Z -= np.maximum.reduce(Z, axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= np.add.reduce(Z, axis=1, keepdims=True)
    return Z


def log_softmax(Z):
    """Return the log of the softmax of each row of ``Z`` (a new array)."""
    Z = Z - Z.max(axis=1, keepdims=True)
    Z -= np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return Z


def log_logistic(Z):
    """Return ``log(expit(Z))`` without underflow (a new array)."""
    return -np.logaddexp(0, -Z)


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
