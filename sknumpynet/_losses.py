"""Loss functions of the output layer, and the targets of a training epoch.

Each output activation has its canonical loss, whose gradient with respect
to the output's pre-activation is simply ``P - Y``: softmax with the
cross-entropy, logistic (multilabel) with the binary cross-entropy, identity
with half the squared error and exp (a log link) with half the Poisson
deviance. ``softmax`` outputs take the targets as class *indices* (``y`` of
shape ``(n_samples,)``); the others take a matrix ``Y`` of shape
``(n_samples, n_outputs)``. Losses return the *sum* over the samples (and
outputs), weighted by ``scale`` when given, so that the caller decides on
the normalisation. ``_targets.py`` lays an epoch's targets out in training
order for the output delta ``P - Y`` of its minibatches.

Each takes the array namespace ``xp`` of its arrays. Under NumPy a loss is a
Python float and the class indices are used directly (fancy indexing); in
other namespaces a loss stays a 0-d array on the arrays' device, so that a
training loop converts it to a number once per epoch rather than
synchronising with the device after every batch, and the true classes are
picked by a comparison with ``arange(n_classes)``, which the array API has.
"""

import numpy as np
from scipy.special import xlogy
from sklearn.utils._array_api import device

from ._ops import as_number

# The smallest positive number of each precision, looked up once.
_TINY = {np.dtype(t): np.finfo(t).tiny for t in (np.float32, np.float64)}


def _weighted_sum(losses, scale, xp=np):
    """Sum ``losses`` of shape ``(..., n_samples)`` over the samples, weighted."""
    if xp is np:
        if scale is None:
            return as_number(np.add.reduce(losses, axis=-1))
        return as_number(np.dot(losses, scale))
    return xp.sum(losses if scale is None else losses * scale, axis=-1)


def _tiny(dtype, xp):
    return _TINY[dtype] if xp is np else xp.finfo(dtype).smallest_normal


def one_hot(y, n_classes, dtype, xp):
    """Return the indicator matrix of class indices ``y`` (array API namespaces)."""
    classes = xp.arange(n_classes, device=device(y))
    return xp.astype(xp.reshape(y, (-1, 1)) == classes, dtype)


def softmax_cross_entropy(y, P, scale=None, xp=np):
    """Sum of ``-log P[i, y[i]]`` over the samples.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Index of the true class of each sample.
    P : ndarray of shape (..., n_samples, n_classes)
        Predicted probabilities.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    xp : namespace, default=numpy

    Returns
    -------
    loss : float, or a 0-d array outside NumPy
    """
    return negative_log_likelihood(true_class_proba(y, P, xp), scale, xp)


def true_class_proba(y, P, xp=np):
    """Return ``P[i, y[i]]`` for every sample ``i``."""
    if xp is np:
        return P[..., np.arange(y.shape[0]), y]
    return xp.sum(P * one_hot(y, P.shape[-1], P.dtype, xp), axis=-1)


def negative_log_likelihood(p_true, scale=None, xp=np):
    """Sum of ``-log p`` over the probabilities of the true classes.

    Parameters
    ----------
    p_true : ndarray of shape (..., n_samples)
        The probability each sample gave its true class; left unchanged.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    xp : namespace, default=numpy

    Returns
    -------
    loss : float, or a 0-d array outside NumPy
    """
    log_p = xp.log(xp.clip(p_true, min=_tiny(p_true.dtype, xp)))
    return -_weighted_sum(log_p, scale, xp)


def binary_cross_entropy(Y, P, scale=None, xp=np):
    """Sum over the samples of the binary cross-entropy of every output.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        Indicator matrix of the true labels.
    P : ndarray of shape (..., n_samples, n_outputs)
        Predicted probability of each label.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    xp : namespace, default=numpy

    Returns
    -------
    loss : float, or a 0-d array outside NumPy
    """
    eps = xp.finfo(P.dtype).eps
    P = xp.clip(P, eps, 1 - eps)
    losses = -xp.sum(Y * xp.log(P) + (1 - Y) * xp.log1p(-P), axis=-1)
    return _weighted_sum(losses, scale, xp)


def half_squared_error(Y, P, scale=None, xp=np):
    """Sum over the samples of ``sum((P - Y) ** 2) / 2`` over the outputs.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        The targets.
    P : ndarray of shape (..., n_samples, n_outputs)
        The predictions.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    xp : namespace, default=numpy

    Returns
    -------
    loss : float, or a 0-d array outside NumPy
    """
    residual = P - Y
    if xp is np:
        losses = 0.5 * np.einsum("...ij,...ij->...i", residual, residual)
    else:
        losses = 0.5 * xp.sum(residual * residual, axis=-1)
    return _weighted_sum(losses, scale, xp)


def half_poisson_deviance(Y, P, scale=None, xp=np):
    """Sum over the samples of half the Poisson deviance of every output.

    ``Y * log(Y / P) - Y + P``, which is zero where ``P == Y``, as in
    scikit-learn's MLPRegressor.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        The non-negative targets.
    P : ndarray of shape (..., n_samples, n_outputs)
        The predicted means, positive.
    scale : ndarray of shape (n_samples,), default=None
        Weight of each sample's loss.
    xp : namespace, default=numpy

    Returns
    -------
    loss : float, or a 0-d array outside NumPy
    """
    P = xp.clip(P, min=_tiny(P.dtype, xp))
    if xp is np:
        y_log_ratio = xlogy(Y, Y / P)
    else:  # xlogy: 0 where Y is 0
        y_log_ratio = Y * xp.log(xp.where(Y > 0, Y / P, xp.ones_like(P)))
    losses = xp.sum(y_log_ratio - Y + P, axis=-1)
    return _weighted_sum(losses, scale, xp)


# Keyed by the output activation: the canonical loss of each, whose gradient
# with respect to the logits is simply P - Y.
LOSSES = {
    "softmax": softmax_cross_entropy,
    "logistic": binary_cross_entropy,
    "identity": half_squared_error,
    "exp": half_poisson_deviance,
}
