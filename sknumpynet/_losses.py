"""Loss functions of the output layer, each beside its output delta.

Each output activation has its canonical loss, whose gradient with respect
to the output's pre-activation is simply ``P - Y``: softmax with the
cross-entropy, logistic (multilabel) with the binary cross-entropy, identity
with half the squared error and exp (a log link) with half the Poisson
deviance. ``softmax`` outputs take the targets as class *indices* (``y`` of
shape ``(n_samples,)``), so no one-hot matrix is ever built; the others take
a matrix ``Y`` of shape ``(n_samples, n_outputs)``. Losses return the *sum*
over the samples (and outputs), weighted by ``scale`` when given, so that the
caller decides on the normalisation.
"""

import numpy as np
from scipy.special import xlogy

# The smallest positive number of each precision, looked up once.
_TINY = {np.dtype(t): np.finfo(t).tiny for t in (np.float32, np.float64)}


def _weighted_sum(losses, scale):
    if scale is None:
        return float(np.add.reduce(losses))
    return float(np.dot(losses, scale))


def softmax_cross_entropy(y, P, scale=None, rows=None):
    """Sum of ``-log P[i, y[i]]`` over the samples.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Index of the true class of each sample.
    P : ndarray of shape (n_samples, n_classes)
        Predicted probabilities.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    rows : ndarray of shape (n_samples,), default=None
        ``arange(n_samples)``, when the caller keeps one at hand.

    Returns
    -------
    loss : float
    """
    rows = np.arange(y.shape[0]) if rows is None else rows
    return negative_log_likelihood(P[rows, y], scale)


def negative_log_likelihood(p_true, scale=None):
    """Sum of ``-log p`` over the probabilities of the true classes.

    Parameters
    ----------
    p_true : ndarray of shape (n_samples,)
        The probability each sample gave its true class; left unchanged.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.

    Returns
    -------
    loss : float
    """
    log_p = np.log(np.maximum(p_true, _TINY[p_true.dtype]))
    return -_weighted_sum(log_p, scale)


def inplace_softmax_delta(y, P, rows=None):
    """Turn ``P`` into ``P - Y`` in place, the gradient of the loss w.r.t. logits."""
    P[np.arange(y.shape[0]) if rows is None else rows, y] -= 1
    return P


def binary_cross_entropy(Y, P, scale=None, rows=None):
    """Sum over the samples of the binary cross-entropy of every output.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        Indicator matrix of the true labels.
    P : ndarray of shape (n_samples, n_outputs)
        Predicted probability of each label.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    rows : ndarray, default=None
        Unused; for the same signature as ``softmax_cross_entropy``.

    Returns
    -------
    loss : float
    """
    eps = np.finfo(P.dtype).eps
    P = np.clip(P, eps, 1 - eps)
    losses = -(Y * np.log(P) + (1 - Y) * np.log1p(-P)).sum(axis=1)
    return _weighted_sum(losses, scale)


def inplace_residual_delta(Y, P, rows=None):
    """Turn ``P`` into ``P - Y`` in place, the gradient of the loss w.r.t. logits."""
    P -= Y
    return P


def half_squared_error(Y, P, scale=None, rows=None):
    """Sum over the samples of ``sum((P - Y) ** 2) / 2`` over the outputs.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        The targets.
    P : ndarray of shape (n_samples, n_outputs)
        The predictions.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    rows : ndarray, default=None
        Unused; for the same signature as ``softmax_cross_entropy``.

    Returns
    -------
    loss : float
    """
    residual = P - Y
    losses = 0.5 * np.einsum("ij,ij->i", residual, residual)
    return _weighted_sum(losses, scale)


def half_poisson_deviance(Y, P, scale=None, rows=None):
    """Sum over the samples of half the Poisson deviance of every output.

    ``Y * log(Y / P) - Y + P``, which is zero where ``P == Y``, as in
    scikit-learn's MLPRegressor.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        The non-negative targets.
    P : ndarray of shape (n_samples, n_outputs)
        The predicted means, positive.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    rows : ndarray, default=None
        Unused; for the same signature as ``softmax_cross_entropy``.

    Returns
    -------
    loss : float
    """
    P = np.maximum(P, np.finfo(P.dtype).tiny)
    losses = (xlogy(Y, Y / P) - Y + P).sum(axis=1)
    return _weighted_sum(losses, scale)


# Keyed by the output activation: the canonical loss of each, whose gradient
# with respect to the logits is simply P - Y.
LOSSES = {
    "softmax": softmax_cross_entropy,
    "logistic": binary_cross_entropy,
    "identity": half_squared_error,
    "exp": half_poisson_deviance,
}

OUTPUT_DELTAS = {
    "softmax": inplace_softmax_delta,
    "logistic": inplace_residual_delta,
    "identity": inplace_residual_delta,
    "exp": inplace_residual_delta,
}
