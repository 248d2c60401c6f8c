"""The array library and device of an array, and moving arrays between them.

The network computes in the namespace of its parameters (NumPy, PyTorch,
CuPy, array-api-strict, ...) and on their device. NumPy is always the module
``np`` itself, so that allocation code can test ``xp is np`` for the
preallocated, ``out=``-buffered fast path (the formulas themselves leave
that choice to ``ops.py``). Random draws stay on the host in NumPy; their
results move to the device once. (scikit-learn's vendored
``array_api_compat`` and ``move_to`` do the work: no estimator code here.)
"""

import numpy as np
from sklearn.externals import array_api_compat
from sklearn.utils._array_api import _convert_to_numpy

try:  # scikit-learn >= 1.9
    from sklearn.utils._array_api import move_to
except ImportError:  # pragma: no cover - older scikit-learn: NumPy only
    move_to = None


def namespace_of(array):
    """Return the namespace and device of an array, whatever the configuration."""
    if isinstance(array, np.ndarray):
        return np, None
    return array_api_compat.array_namespace(array), array_api_compat.device(array)


def copy_array(array):
    """Return a copy of an array of any namespace, on its device."""
    xp = namespace_of(array)[0]
    return array.copy() if xp is np else xp.asarray(array, copy=True)


def to_device(array, xp, device):
    """Move a NumPy array (or None) to namespace ``xp`` on ``device``."""
    if xp is np or array is None:
        return array
    return move_to(array, xp=xp, device=device)


def numpy_dtype(dtype):
    """Return the NumPy dtype of the same name as a dtype of any namespace."""
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        return np.dtype(dtype)
    # torch.float32, array_api_strict.float32, ...: the name after the dot.
    return np.dtype(str(dtype).rsplit(".", 1)[-1])


def to_numpy_array(array):
    """Return an array of any namespace, on any device, as a NumPy array.

    Library-specific (torch: ``.cpu().numpy()``, CuPy: ``.get()``, ...), so
    that it works with ``array_api_dispatch`` off too.
    """
    if isinstance(array, np.ndarray):
        return array
    return _convert_to_numpy(array, namespace_of(array)[0])


def take(A, idx, out=None, xp=np):
    """Return the rows ``idx`` of ``A``: gathered into ``out`` when given (NumPy)."""
    if out is not None:
        # mode="clip" skips the bounds check, which copies through a hidden
        # temporary; the indices are ours and always valid.
        return A.take(idx, axis=0, out=out[: idx.shape[0]], mode="clip")
    return A[idx] if xp is np else xp.take(A, idx, axis=0)


def take_rows(A, idx):
    """Return rows ``idx`` (NumPy indices or a slice) of an array of any namespace."""
    xp, device = namespace_of(A)
    if xp is np or isinstance(idx, slice):
        return A[idx]
    return xp.take(A, to_device(np.asarray(idx), xp, device), axis=0)
