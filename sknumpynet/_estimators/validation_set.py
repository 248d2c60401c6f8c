"""The held-out set scored after each epoch: given by the user, or split from X.

``fit(X, y, X_val=..., y_val=...)`` gives one (as scikit-learn's
``HistGradientBoostingClassifier`` takes it); ``early_stopping=True`` without
one splits ``validation_fraction`` of the samples off X. Either way the set
is checked and encoded like the training data, on the host, then moved to
the namespace and device of X. A split never puts two identical samples on
different sides (:func:`validation_split`).
"""

import numpy as np
from scipy import sparse
from sklearn.utils import column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    validate_data,
)

from .._math.array_api import namespace_of, numpy_dtype, take, to_device, to_numpy_array
from .namespaces import input_namespace, to_host


def given_validation_set(
    estimator, X_val, y_val, sample_weight_val, X, targets, xp, device
):
    """Check the user's held-out set against the training data; None if none.

    Parameters
    ----------
    estimator : BaseNumpyMLP
        The estimator being fitted; ``n_features_in_`` is already that of X.
    X_val, y_val, sample_weight_val : array-like or None
        As passed to ``fit``.
    X : array or sparse matrix
        The validated training data: its dtype and number of features.
    targets : dict
        What the encoding of ``y`` found: the classes, the output activation.
    xp, device : namespace and device
        Those of X, which the validation set must share.

    Returns
    -------
    validation : tuple of (X_val, y_val, sample_weight_val) or None
        Encoded as the training data, in the namespace and on the device of X.
    """
    if X_val is None and y_val is None:
        if sample_weight_val is not None:
            raise ValueError(
                "sample_weight_val was given without X_val and y_val: pass the "
                "validation set it weights, or leave it out."
            )
        return None
    if X_val is None or y_val is None:
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ValueError(
            f"{given} was given without {missing}: a validation set needs both, "
            f"X_val of shape (n_val, {X.shape[1]}) and y_val of shape (n_val,)."
        )
    val_xp, val_device = input_namespace(X_val)
    if val_xp is not xp or val_device != device:
        raise ValueError(
            f"X_val is in namespace {val_xp.__name__} on device {val_device}, "
            f"but X in {xp.__name__} on {device}: pass both in the same array "
            "library, on the same device."
        )
    try:
        X_val = validate_data(
            estimator, X_val, accept_sparse=["csr", "csc"], dtype=X.dtype, reset=False
        )
    except ValueError as exc:
        raise ValueError(f"X_val: {exc}") from exc
    y_val, sample_weight_val = to_host(y_val), to_host(sample_weight_val)
    check_consistent_length(X_val, y_val)
    host_dtype = numpy_dtype(X.dtype)
    y_val = estimator._encode_validation_targets(y_val, targets, host_dtype)
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(
            sample_weight_val,
            np.empty((X_val.shape[0], 0)),
            dtype=host_dtype,
            ensure_non_negative=True,
        )
    y_val, sample_weight_val = (
        to_device(a, xp, device) for a in (y_val, sample_weight_val)
    )
    return X_val, y_val, sample_weight_val


def encode_validation_classes(y_val, targets, dtype):
    """Encode y_val as y was: indices of classes seen in y, or indicators."""
    y_val = np.asarray(y_val)
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = column_or_1d(y_val, warn=True)
    check_classification_targets(y_val)
    classes = targets["classes_"]
    if targets["out_activation"] == "logistic":
        if y_val.ndim != 2 or y_val.shape[1] != len(classes):
            raise ValueError(
                f"y_val must be an indicator matrix of {len(classes)} labels, "
                f"as y is; got shape {y_val.shape}."
            )
        return np.ascontiguousarray(y_val, dtype=dtype)
    unknown = np.setdiff1d(np.unique(y_val), classes)
    if unknown.size:
        raise ValueError(
            f"y_val contains classes {unknown.tolist()} that are not in y "
            f"({classes.tolist()}): the network has no output for them. "
            "Validate on classes that the training data has."
        )
    return np.searchsorted(classes, y_val)


def split_validation_set(estimator, X, y, sample_weight, rng):
    """Split off the early-stopping validation set; return train_idx, validation.

    ``y`` and ``sample_weight`` are NumPy arrays; the validation set is
    moved to the namespace and device of X.
    """
    xp, device = namespace_of(X) if not sparse.issparse(X) else (np, None)
    train_idx, val_idx = validation_split(
        X if xp is np else to_numpy_array(X),
        y,
        sample_weight,
        estimator.validation_fraction,
        rng,
    )
    if val_idx.shape[0] == 0:
        raise ValueError(
            f"The validation set for early stopping is empty: "
            f"validation_fraction={estimator.validation_fraction} of "
            f"{X.shape[0]} samples leaves no sample to validate on. "
            "Increase validation_fraction or pass more data."
        )
    sw_val = None if sample_weight is None else sample_weight[val_idx]
    X_val = take(X, to_device(val_idx, xp, device), xp=xp)
    y_val, sw_val = (to_device(a, xp, device) for a in (y[val_idx], sw_val))
    return train_idx, (X_val, y_val, sw_val)


def row_groups(A):
    """Label each row of ``A`` with the id of its distinct value.

    Parameters
    ----------
    A : ndarray or sparse matrix of shape (n_rows, n_columns), or ndarray of
        shape (n_rows,)

    Returns
    -------
    ids : ndarray of shape (n_rows,)
        Equal ids for rows equal to the bit, numbered in sorted order.
    """
    if sparse.issparse(A):
        A = sparse.csr_matrix(A, copy=True)
        A.sum_duplicates()
        A.sort_indices()
        keys = [
            A.indices[a:b].tobytes() + A.data[a:b].tobytes()
            for a, b in zip(A.indptr[:-1], A.indptr[1:])
        ]
        return np.unique(np.array(keys, dtype=object), return_inverse=True)[1]
    A = np.ascontiguousarray(A.reshape(A.shape[0], -1))
    rows = A.view(np.dtype((np.void, A.dtype.itemsize * A.shape[1]))).ravel()
    return np.unique(rows, return_inverse=True)[1].ravel()


def validation_split(X, y, sample_weight, fraction, rng):
    """Split the row indices into a training and a validation set.

    Identical samples (same features and target) always land on the same side,
    so a duplicated row never leaks from training into validation, and an
    integer ``sample_weight`` gives the same split as repeating the rows. For
    class targets, each class is split on its own (stratified): its distinct
    samples are drawn in random order into validation until they hold
    ``fraction`` of the class's weight, never taking its last one. Samples of
    zero weight stay in training, where they have no effect.

    Returns
    -------
    train_idx, val_idx : ndarray of int
    """
    n_samples = X.shape[0]
    weight = np.ones(n_samples) if sample_weight is None else sample_weight
    positive = np.flatnonzero(weight > 0)
    X_pos = X if positive.shape[0] == n_samples else X[positive]
    by_x, by_y = row_groups(X_pos), row_groups(y[positive])
    group = np.unique(by_x * (by_y.max() + 1) + by_y, return_inverse=True)[1].ravel()
    n_groups = group.max() + 1
    group_weight = np.bincount(group, weights=weight[positive], minlength=n_groups)
    group_class = np.zeros(n_groups, dtype=np.intp)
    if y.ndim == 1:
        group_class[group] = y[positive]
    in_validation = np.zeros(n_groups, dtype=bool)
    order = rng.permutation(n_groups)
    for c in np.unique(group_class):
        members = order[group_class[order] == c]
        target = fraction * group_weight[members].sum()
        taken = np.cumsum(group_weight[members]) - group_weight[members] < target
        taken[-1] = False
        in_validation[members[taken]] = True
    is_val = np.zeros(n_samples, dtype=bool)
    is_val[positive] = in_validation[group]
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)
