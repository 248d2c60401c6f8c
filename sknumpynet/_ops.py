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

from ._array_api import namespace_of, to_device


def transpose(A):
    """Return the transpose of each matrix of ``A``: its last two axes swapped."""
    if isinstance(A, np.ndarray):
        return A.T if A.ndim == 2 else A.swapaxes(-1, -2)
    if sparse.issparse(A):
        return A.T
    return A.mT if hasattr(A, "mT") else A.swapaxes(-1, -2)


def matmul(A, B, out=None):
    """Return ``A @ B``, written into ``out`` when it is given.

    Either operand may carry a stack axis (``(k, n, m)``), and ``A`` may be
    a scipy sparse matrix (the input batch). Under NumPy the product is
    written by BLAS straight into ``out`` whatever the memory order of its
    matrices (row- or column-major); elsewhere ``out`` gets a copy.
    """
    # Exact type checks first: a batch calls this 5 times, and scipy's
    # issparse alone costs 1.5 us.
    ndarray = np.ndarray
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
    if not dense and (sparse.issparse(A) or sparse.issparse(B)):
        product = _sparse_matmul(A, B)
    else:
        product = A @ B
    if out is None:
        return product
    out[...] = product
    return out


def _sparse_matmul(A, B):
    """Return ``A @ B`` where one operand is sparse and the other may be a stack.

    A stack ``(k, m, n)`` becomes one matrix of ``k * n`` columns, so that
    the sparse product runs once for all k networks.
    """
    if sparse.issparse(B):  # dense A.T @ sparse: (B.T @ A.T).T
        return transpose(_sparse_matmul(B.T, transpose(A)))
    if B.ndim == 2:
        return np.asarray(A @ B)
    k, m, n = B.shape
    wide = np.asarray(A @ B.transpose(1, 0, 2).reshape(m, k * n))
    return wide.reshape(-1, k, n).transpose(1, 0, 2)


def sum_samples(A, out=None):
    """Sum over the samples (axis -2): ``(..., n, m) -> (..., m)``."""
    if isinstance(out, np.ndarray):
        return np.add.reduce(A, axis=-2, out=out)
    total = namespace_of(A)[0].sum(A, axis=-2)
    if out is None:
        return total
    out[...] = total
    return out


def multiply(A, B, out=None):
    """Return ``A * B``, written into ``out`` under NumPy."""
    if isinstance(out, np.ndarray):
        return np.multiply(A, B, out=out)
    return A * B


def vecdot(a, b):
    """Return the dot product over the last axis: one per network of a stack."""
    if isinstance(a, np.ndarray):
        if a.ndim == 1:
            return np.dot(a, b)
        # One matrix-vector product per network: BLAS, unlike einsum (8 x
        # 7,850 weights: 3 instead of 22 us).
        return np.matmul(a[..., None, :], b[..., :, None])[..., 0, 0]
    return namespace_of(a)[0].sum(a * b, axis=-1)


def per_network(value, like):
    """Shape a per-network value to broadcast over ``like``, one network's array.

    ``value`` is a number (one network: returned as it is) or a 1-d array
    with one entry per network of a stack, whose arrays ``like`` lead with
    the stack axis: ``(k,)`` becomes ``(k, 1, ..., 1)``. In a namespace
    other than NumPy it moves to the device of ``like``.
    """
    if not isinstance(value, np.ndarray):
        return value
    value = value.reshape(value.shape + (1,) * (like.ndim - value.ndim))
    if isinstance(like, np.ndarray):
        return value.astype(like.dtype, copy=False)
    xp, device = namespace_of(like)
    return xp.astype(to_device(value, xp, device), like.dtype)


def as_number(value):
    """Return a NumPy result as a float, or one float per network of a stack.

    Results of other namespaces stay on their device, unread.
    """
    if isinstance(value, (np.ndarray, np.generic)) and value.ndim == 0:
        return float(value)
    return value
