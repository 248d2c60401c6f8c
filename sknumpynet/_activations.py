"""Activation functions, each beside its derivative.

Every activation takes the pre-activation ``Z`` of shape ``(n_samples,
n_units)`` and returns the layer's output; every derivative is written in
terms of that *output* ``A`` and multiplies the error signal ``delta``, as in
scikit-learn's ``sklearn/neural_network/_base.py``. Always use what they
return.

Each takes the array namespace ``xp`` of its arrays (NumPy, PyTorch, CuPy,
... see ``_array_api.py``). Under NumPy they work in place, with ``out=``, so
that a training step allocates no temporary array: the activation overwrites
``Z``, the derivative overwrites ``delta`` and uses ``A`` as scratch space
(backpropagation needs a layer's output no more once its derivative is
taken). Other namespaces get the same formula written with the array API's
functions, which return new arrays.
"""

import numpy as np
from scipy.special import expit


def inplace_identity(Z, xp=np):
    """Return ``Z`` unchanged: the identity activation."""
    return Z


def inplace_identity_derivative(A, delta, xp=np):
    """Return ``delta`` unchanged: the identity has derivative 1."""
    return delta


# The array sizes from which tanh_via_exp beats np.tanh (measured here, on
# AVX2: 8192 float32 or 1024 float64 elements). float32 starts at twice that,
# as exp slows down where 2 Z overflows: 32 x 256 units took 29 us instead of
# np.tanh's 22 us when most pre-activations were beyond +-30.
_TANH_VIA_EXP_FROM = {np.dtype(np.float32): 16384, np.dtype(np.float64): 1024}


def inplace_tanh(Z, xp=np):
    """Apply the hyperbolic tangent: by :func:`tanh_via_exp` on large arrays."""
    if xp is np:
        if Z.size >= _TANH_VIA_EXP_FROM.get(Z.dtype, np.inf):
            return tanh_via_exp(Z)
        return np.tanh(Z, out=Z)
    return xp.tanh(Z)


def tanh_via_exp(Z, xp=np):
    """Apply tanh as ``1 - 2 / (exp(2 Z) + 1)``, for large arrays.

    The same function to within 2 ulp (1.8e-7 in float32, 3.3e-16 in float64,
    measured), but five vectorised passes that beat NumPy's ``tanh`` on large
    arrays: 10,000 x 256 took 4.5 ms instead of 6.7 ms in float32 and 16 ms
    instead of 34 ms in float64 here, a training batch of 128 x 256 float32
    77 us instead of 85 us. On small arrays the extra calls cost more than
    they save, so :func:`inplace_tanh` keeps ``np.tanh`` there.
    """
    if xp is not np:
        # Array libraries' own tanh is one fused kernel (torch: faster on the
        # CPU than this formula's four temporaries; on a GPU too, likely).
        return xp.tanh(Z)
    with np.errstate(over="ignore"):  # exp(2 Z) = inf gives exactly 1
        Z *= 2
        np.exp(Z, out=Z)
    Z += 1
    np.divide(2, Z, out=Z)
    return np.subtract(1, Z, out=Z)


def inplace_tanh_derivative(A, delta, xp=np):
    """Multiply ``delta`` by ``1 - A**2``, the derivative of tanh."""
    if xp is np:
        A *= A
        np.subtract(1, A, out=A)
        delta *= A
        return delta
    return delta * (1 - A * A)


def inplace_logistic(Z, xp=np):
    """Apply the logistic sigmoid."""
    if xp is np:
        return expit(Z, out=Z)
    return 1 / (1 + xp.exp(-Z))


def inplace_logistic_derivative(A, delta, xp=np):
    """Multiply ``delta`` by ``A * (1 - A)``, the derivative of the sigmoid."""
    if xp is np:
        delta *= A
        np.subtract(1, A, out=A)
        delta *= A
        return delta
    return delta * A * (1 - A)


def inplace_relu(Z, xp=np):
    """Apply the rectified linear unit."""
    if xp is np:
        return np.maximum(Z, 0, out=Z)
    return xp.clip(Z, min=0)


def inplace_relu_derivative(A, delta, xp=np):
    """Zero ``delta`` where the unit was inactive."""
    # relu's output is >= 0, so its sign is the derivative: 0 or 1.
    if xp is np:
        delta *= np.sign(A, out=A)
        return delta
    return delta * xp.sign(A)


def inplace_exp(Z, xp=np):
    """Apply the exponential: the inverse of the Poisson log link."""
    if xp is np:
        return np.exp(Z, out=Z)
    return xp.exp(Z)


def inplace_softmax(Z, xp=np):
    """Turn each row of ``Z`` into probabilities.

    Subtracting the row maximum first keeps ``exp`` from overflowing.
    """
    if xp is np:
        Z -= np.maximum.reduce(Z, axis=-1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= np.add.reduce(Z, axis=-1, keepdims=True)
        return Z
    E = xp.exp(Z - xp.max(Z, axis=-1, keepdims=True))
    return E / xp.sum(E, axis=-1, keepdims=True)


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
