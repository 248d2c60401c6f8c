"""The held-out split for early stopping: duplicates never straddle it."""

import numpy as np
from scipy import sparse


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
