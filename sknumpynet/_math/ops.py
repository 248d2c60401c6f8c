"""The few array operations the math is written with, for one network or a stack.

The network, the losses and the optimizers read as their formulas because the
choices that are not mathematics live here:

* **Where a result goes.** Under NumPy a training step writes into the
  preallocated arrays of a workspace (``out=``), which is what makes the
  loop fast; in other namespaces (PyTorch, CuPy, ...) the same call returns
  a new array, or writes into ``out`` where one is given.
* **A stack of networks.** k networks of one shape train side by side (the
  grid search's candidates that differ only in their learning rate, say):
  their arrays carry a leading stack axis, ``(k, n_samples, n_units)`` for
  activations and ``(k, n_in, n_out)`` for weights, and a single network is
  the case without it. Shapes are written ``(..., n_samples, n_units)``;
  reductions name their axis from the end (``axis=-2``: over the samples),
  and a per-network number (a learning rate) is a 1-d array of length k that
  :func:`per_network` shapes to broadcast over each network's array.
"""

import numpy as np
from scipy import sparse
from scipy.special import expit as scipy_expit
from scipy.special import xlogy as scipy_xlogy
from sklearn.utils._array_api import device as array_device

from .array_api import namespace_of, to_device

# Looked up once: the checks below run a few dozen times per minibatch.
ndarray = np.ndarray


def transpose(A):
    """Return the transpose of each matrix of ``A``: its last two axes swapped."""
    try:
        return A.mT  # the array API's name (NumPy from 2.0)
    except AttributeError:  # a scipy sparse matrix, or NumPy before 2.0
        return A.T if A.ndim == 2 else A.swapaxes(-1, -2)


def matmul(A, B, out=None):
    """Return ``A @ B``, written into ``out`` when it is given.

    Either operand may carry a stack axis (``(k, n, m)``), and ``A`` may be
    a scipy sparse matrix (the input batch). Under NumPy the product is
    written by BLAS straight into ``out`` whatever the memory order of its
    matrices (row- or column-major); elsewhere ``out`` gets a copy.
    """
    # Exact type checks first: a batch calls this 5 times, and scipy's
    # issparse alone costs 1.5 us.
    dense = type(A) is ndarray and type(B) is ndarray
    if dense and type(out) is ndarray:
        if A.ndim == 2 and B.ndim == 2:
            # np.dot calls BLAS with 0.3 to 0.6 us less overhead than
            # np.matmul; it writes only into a C-contiguous out, so a
            # column-major one gets B.T @ A.T written into its transpose.
            if out.flags.c_contiguous:
                return np.dot(A, B, out=out)
            np.dot(B.T, A.T, out=out.T)
            return out
        if out.strides[-1] == out.itemsize:
            return np.matmul(A, B, out=out)
        # Column-major matrices: write the transposed product.
        np.matmul(transpose(B), transpose(A), out=transpose(out))
        return out
    if not dense and sparse.issparse(A):
        product = _sparse_matmul(A, B)
    else:
        product = A @ B
    if out is None:
        return product
    out[...] = product
    return out


def _sparse_matmul(A, B):
    """Return ``A @ B`` for a sparse ``A`` (the input batch); ``B`` may be a stack.

    A stack ``(k, m, n)`` becomes one matrix of ``k * n`` columns, so that
    the sparse product runs once for all k networks.
    """
    if B.ndim == 2:
        return np.asarray(A @ B)
    k, m, n = B.shape
    wide = np.asarray(A @ B.transpose(1, 0, 2).reshape(m, k * n))
    return wide.reshape(-1, k, n).transpose(1, 0, 2)


def sum_samples(A, out=None):
    """Sum over the samples (axis -2): ``(..., n, m) -> (..., m)``."""
    if isinstance(out, ndarray):
        return np.add.reduce(A, axis=-2, out=out)
    total = namespace_of(A)[0].sum(A, axis=-2)
    if out is None:
        return total
    out[...] = total
    return out


def vecdot(a, b):
    """Return the dot product over the last axis: one per network of a stack."""
    if isinstance(a, ndarray):
        if a.ndim == 1:
            return np.dot(a, b)
        # One matrix-vector product per network: BLAS, unlike einsum (8 x
        # 7,850 weights: 3 instead of 22 us).
        return np.matmul(a[..., None, :], b[..., :, None])[..., 0, 0]
    return namespace_of(a)[0].sum(a * b, axis=-1)


def per_network(value, like):
    """Shape a per-network value to broadcast over ``like``, an array of a stack.

    ``value`` is a number (one network: returned as it is) or a 1-d array
    with one entry per network of a stack, whose arrays ``like`` lead with
    the stack axis: ``(k,)`` becomes ``(k, 1, ..., 1)``. In a namespace
    other than NumPy it moves to the device of ``like``.
    """
    if not isinstance(value, ndarray):
        return value
    value = value.reshape(value.shape + (1,) * (like.ndim - value.ndim))
    if isinstance(like, ndarray):
        return value.astype(like.dtype, copy=False)
    xp, device = namespace_of(like)
    return xp.astype(to_device(value, xp, device), like.dtype)


def as_number(value):
    """Return a NumPy result as a float, or one float per network of a stack.

    Results of other namespaces stay on their device, unread.
    """
    if isinstance(value, (ndarray, np.generic)) and value.ndim == 0:
        return float(value)
    return value


# Element-wise operations: into ``out`` when it is a NumPy array, a new array
# otherwise (the operators and functions of the array's own library).


def multiply(a, b, out=None):
    """Return ``a * b``."""
    return np.multiply(a, b, out=out) if isinstance(out, ndarray) else a * b


def subtract(a, b, out=None):
    """Return ``a - b``."""
    return np.subtract(a, b, out=out) if isinstance(out, ndarray) else a - b


def divide(a, b, out=None):
    """Return ``a / b``."""
    return np.divide(a, b, out=out) if isinstance(out, ndarray) else a / b


def exp(Z, out=None):
    """Return ``exp(Z)``."""
    if isinstance(out, ndarray):
        return np.exp(Z, out=out)
    return namespace_of(Z)[0].exp(Z)


def sqrt(Z, out=None):
    """Return the square root of ``Z``."""
    if isinstance(out, ndarray):
        return np.sqrt(Z, out=out)
    return namespace_of(Z)[0].sqrt(Z)


def sign(Z, out=None):
    """Return the sign of ``Z``: -1, 0 or 1."""
    if isinstance(out, ndarray):
        return np.sign(Z, out=out)
    return namespace_of(Z)[0].sign(Z)


def clip_below(Z, low, out=None):
    """Return ``max(Z, low)``."""
    if isinstance(out, ndarray):
        return np.maximum(Z, low, out=out)
    return namespace_of(Z)[0].clip(Z, min=low)


def expit(Z, out=None):
    """Return the logistic sigmoid ``1 / (1 + exp(-Z))``."""
    if isinstance(out, ndarray):
        return scipy_expit(Z, out=out)
    return 1 / (1 + namespace_of(Z)[0].exp(-Z))


# The array sizes from which tanh_via_exp beats np.tanh (measured here, on
# AVX2: 8192 float32 or 1024 float64 elements). float32 starts at twice that,
# as exp slows down where 2 Z overflows: 32 x 256 units took 29 us instead of
# np.tanh's 22 us when most pre-activations were beyond +-30.
_TANH_VIA_EXP_FROM = {np.dtype(np.float32): 16384, np.dtype(np.float64): 1024}


def tanh(Z, out=None):
    """Return ``tanh(Z)``: by :func:`tanh_via_exp` on large NumPy arrays.

    Large by one network's matrix (the last two axes), so that a stack of
    networks computes exactly what each computes alone.
    """
    if not isinstance(out, ndarray):
        return namespace_of(Z)[0].tanh(Z)
    size = Z.shape[-1] * Z.shape[-2] if Z.ndim > 1 else Z.size
    if out is Z and size >= _TANH_VIA_EXP_FROM.get(Z.dtype, np.inf):
        return tanh_via_exp(Z)
    return np.tanh(Z, out=out)


def tanh_via_exp(Z):
    """Apply tanh as ``1 - 2 / (exp(2 Z) + 1)`` in place, for large NumPy arrays.

    The same function to within 2 ulp (1.8e-7 in float32, 3.3e-16 in float64,
    measured), but five vectorised passes that beat NumPy's ``tanh`` on large
    arrays: 10,000 x 256 took 4.5 ms instead of 6.7 ms in float32 and 16 ms
    instead of 34 ms in float64 here, a training batch of 128 x 256 float32
    77 us instead of 85 us. On small arrays the extra calls cost more than
    they save, so :func:`tanh` keeps ``np.tanh`` there. (Array libraries'
    own tanh is one fused kernel: torch's is faster on the CPU than this
    formula's temporaries.)
    """
    with np.errstate(over="ignore"):  # exp(2 Z) = inf gives exactly 1
        Z *= 2
        np.exp(Z, out=Z)
    Z += 1
    np.divide(2, Z, out=Z)
    return np.subtract(1, Z, out=Z)


def unit_max(Z):
    """Return the maximum over the units (the last axis), kept as an axis."""
    if isinstance(Z, ndarray):
        return np.maximum.reduce(Z, axis=-1, keepdims=True)
    return namespace_of(Z)[0].max(Z, axis=-1, keepdims=True)


def unit_sum(Z):
    """Return the sum over the units (the last axis), kept as an axis."""
    if isinstance(Z, ndarray):
        return np.add.reduce(Z, axis=-1, keepdims=True)
    return namespace_of(Z)[0].sum(Z, axis=-1, keepdims=True)


# The losses' reductions and lookups.

# The smallest positive normal number of each NumPy precision, looked up once.
_TINY = {np.dtype(t): np.finfo(t).tiny for t in (np.float32, np.float64)}


def smallest_normal(A):
    """Return the smallest positive normal number of ``A``'s precision."""
    if isinstance(A, ndarray):
        return _TINY[A.dtype]
    return namespace_of(A)[0].finfo(A.dtype).smallest_normal


# What flush_subnormal adds and takes away: a number whose last bit is twice
# the smallest normal number, so that the sum rounds below that bit.
_FLUSH = {
    np.dtype(t): t(np.finfo(t).tiny * 2 / np.finfo(t).eps)
    for t in (np.float32, np.float64)
}


def flush_subnormal(A):
    """Round the tiniest entries of ``A``, in place, so that none is subnormal.

    The state of a decaying average (momentum's velocities, Adam's moments)
    of a weight whose gradient is 0 for a while (the weights of an MNIST
    pixel that is rarely inked) shrinks geometrically into the subnormal
    numbers, and every vector operation on a subnormal number takes a
    microcode assist: 7 us more per batch of the 784-10-10 network with
    momentum. ``(A + c) - c`` (``c`` is 2e-31 in float32) rounds such an
    entry to a multiple of twice the smallest normal number: to 0, or, as
    it decays, to a few of those multiples (at most 4 for a decay by 0.9),
    a normal number. Entries above ``8 c / eps`` (1.3e-23 in float32,
    4e-275 in float64) are unchanged; smaller ones move by at most their
    own last bit or that multiple, far below what a weight can feel.
    """
    c = _FLUSH.get(A.dtype) if isinstance(A, ndarray) else None
    if c is None:
        finfo = namespace_of(A)[0].finfo(A.dtype)
        c = finfo.smallest_normal * 2 / finfo.eps
    A += c
    A -= c
    return A


def weighted_sum(losses, scale=None):
    """Sum ``losses`` of shape ``(..., n_samples)`` over the samples, weighted.

    A float under NumPy (one per network of a stack), a 0-d array on the
    device elsewhere.
    """
    if isinstance(losses, ndarray):
        if scale is None:
            return as_number(np.add.reduce(losses, axis=-1))
        # A dot product per network, as one network alone computes it (a
        # matrix-vector product would sum in another order).
        return as_number(vecdot(losses, scale))
    xp = namespace_of(losses)[0]
    return xp.sum(losses if scale is None else losses * scale, axis=-1)


def one_hot(y, n_classes, dtype, xp):
    """Return the indicator matrix of class indices ``y`` (array API namespaces)."""
    classes = xp.arange(n_classes, device=array_device(y))
    return xp.astype(xp.reshape(y, (-1, 1)) == classes, dtype)


def true_class_proba(y, P, out=None, flat_index=None):
    """Return ``P[..., i, y[i]]`` for every sample ``i``, into ``out`` when given.

    Under NumPy with ``out``, ``flat_index[i]`` is where that entry lies in
    the memory of each column-major matrix of ``P`` (``y[i] * n + i``):
    ``take`` with ``mode="clip"`` then skips the bounds check's hidden copy
    (0.5 us per batch of 32, against 1.2 us for ``P[rows, y]``).
    """
    if isinstance(out, ndarray):
        columns = transpose(P).reshape(*P.shape[:-2], -1)
        return columns.take(flat_index, axis=-1, out=out, mode="clip")
    if isinstance(P, ndarray):
        proba = P[..., np.arange(y.shape[0]), y]
    else:
        xp = namespace_of(P)[0]
        proba = xp.sum(P * one_hot(y, P.shape[-1], P.dtype, xp), axis=-1)
    if out is None:
        return proba
    out[...] = proba
    return out


def xlogy(x, y):
    """Return ``x * log(y)``, and 0 where ``x`` is 0."""
    if isinstance(x, ndarray):
        return scipy_xlogy(x, y)
    xp = namespace_of(x)[0]
    return x * xp.log(xp.where(x > 0, y, xp.ones_like(y)))
