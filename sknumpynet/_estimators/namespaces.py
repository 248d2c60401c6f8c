"""The estimators' side of the array API: which namespace the data is in.

With ``sklearn.set_config(array_api_dispatch=True)`` the estimators train and
predict in the namespace of ``X`` (PyTorch, CuPy, array-api-strict, ...) and
on its device; :func:`input_namespace` finds it. Targets and weights are
checked on the host (:func:`to_host`); :func:`to_numpy` converts a fitted
model for a machine without that library. The math's own helpers are in
``_math/array_api.py``.
"""

import numpy as np
from scipy import sparse
from sklearn import get_config
from sklearn.utils._array_api import _is_numpy_namespace, get_namespace_and_device

from .._math.array_api import move_to, namespace_of, to_numpy_array

try:  # scikit-learn >= 1.9
    from sklearn.utils._array_api import (
        _max_precision_float_dtype,
        check_same_namespace,
    )
except ImportError:  # pragma: no cover - older scikit-learn: NumPy only
    _max_precision_float_dtype = check_same_namespace = None


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


def check_input_namespace(estimator, X, method):
    """Check that X is in the namespace and on the device of the fitted weights."""
    if check_same_namespace is not None:
        check_same_namespace(X, estimator, attribute="_first_coef", method=method)
    xp, device = namespace_of(estimator.coefs_[0])
    if xp is not np and not get_config()["array_api_dispatch"]:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on {xp.__name__} arrays "
            f"(device {device}), so {method}() needs "
            "sklearn.set_config(array_api_dispatch=True) and X of the same "
            "namespace and device. To use it with NumPy arrays, convert it "
            "first: model = sknumpynet.to_numpy(model)."
        )
