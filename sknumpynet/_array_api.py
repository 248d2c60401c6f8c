"""Which array library and device the data lives on, and moving between them.

With ``sklearn.set_config(array_api_dispatch=True)`` the estimators train and
predict in the namespace of ``X`` (PyTorch, CuPy, array-api-strict, ...) and
on its device. NumPy is always the module ``np`` itself, so that the math can
test ``xp is np`` for its in-place, ``out=``-buffered fast path.

Random draws, target encoding and sample-weight checks stay on the host in
NumPy; their results move to the device once.
"""

import numpy as np
from scipy import sparse
from sklearn import get_config
from sklearn.externals import array_api_compat
from sklearn.utils._array_api import (
    _convert_to_numpy,
    _is_numpy_namespace,
    get_namespace_and_device,
)

try:  # scikit-learn >= 1.9
    from sklearn.utils._array_api import (
        _max_precision_float_dtype,
        check_same_namespace,
        move_to,
    )
except ImportError:  # pragma: no cover - older scikit-learn: NumPy only
    _max_precision_float_dtype = check_same_namespace = move_to = None


def input_namespace(X):
    """Return the namespace and device to compute in for the input ``X``.

    NumPy (and anything that is not an array-API array, or any input while
    ``array_api_dispatch`` is off) gives ``(np, None)``.
    """
    if sparse.issparse(X):
        return np, None
    xp, is_array_api, device = get_namespace_and_device(X)
    if not is_array_api or _is_numpy_namespace(xp):
        return np, None
    if move_to is None:  # pragma: no cover
        raise ImportError(
            "Training on non-NumPy arrays needs scikit-learn >= 1.9; upgrade "
            "scikit-learn or pass NumPy arrays."
        )
    return xp, device


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


def to_host(array):
    """Return an array-API array as a NumPy array on the CPU; others unchanged.

    Lists, data frames, sparse matrices and NumPy arrays pass through, as do
    all arrays while ``array_api_dispatch`` is off (scikit-learn's validation
    then converts them with ``np.asarray``).
    """
    if (
        array is None
        or isinstance(array, np.ndarray)
        or not hasattr(array, "__dlpack__")
        or not get_config()["array_api_dispatch"]
    ):
        return array
    return move_to(array, xp=np, device="cpu")


def check_float_dtype(xp, device, dtype):
    """Refuse float64 on a device without it (e.g. Apple's MPS), with advice."""
    if xp is np or dtype != xp.float64:
        return
    if _max_precision_float_dtype(xp, device) == xp.float32:
        raise ValueError(
            f"The device {device} of X has no float64 arithmetic, but float64 "
            "weights were asked for. Pass dtype=numpy.float32 (or leave "
            "dtype=None with float32 X)."
        )


def to_numpy(estimator):
    """Return a copy of a fitted estimator whose arrays are NumPy arrays on the CPU.

    A model fitted on PyTorch or CuPy arrays keeps its weights in that library
    and on that device; it pickles and loads, but only where that library (and
    device) exists. Convert it before deploying it to a machine without them::

        from sknumpynet import to_numpy
        model_np = to_numpy(model)  # fitted on torch tensors, on the GPU
        joblib.dump(model_np, "model.joblib")

    Parameters
    ----------
    estimator : NumpyMLPClassifier or NumpyMLPRegressor
        A fitted estimator, in any array namespace.

    Returns
    -------
    estimator : NumpyMLPClassifier or NumpyMLPRegressor
        A new estimator with the same parameters and fitted state, whose
        arrays are NumPy arrays; it predicts on NumPy input with
        ``array_api_dispatch`` off.
    """
    from sklearn.base import clone

    converted = clone(estimator)
    converted.__dict__.update(
        {key: _converted(value) for key, value in vars(estimator).items()}
    )
    return converted


def _converted(value):
    """Copy ``value`` with every array in it moved to NumPy on the CPU."""
    if isinstance(value, dict):
        return {key: _converted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_converted(item) for item in value)
    if isinstance(value, np.ndarray) or not hasattr(value, "__dlpack__"):
        return value
    return to_numpy_array(value)


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
