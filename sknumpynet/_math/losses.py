"""Loss functions of the output layer, and the targets of a training epoch.

Each output activation has its canonical loss, whose gradient with respect
to the output's pre-activation is simply ``P - Y``: softmax with the
cross-entropy, logistic (multilabel) with the binary cross-entropy, identity
with half the squared error and exp (a log link) with half the Poisson
deviance. ``softmax`` outputs take the targets as class *indices* (``y`` of
shape ``(n_samples,)``); the others take a matrix ``Y`` of shape
``(n_samples, n_outputs)``. Losses return the *sum* over the samples (and
outputs), weighted by ``scale`` when given, so that the caller decides on
the normalisation. ``targets.py`` lays an epoch's targets out in training
order for the output delta ``P - Y`` of its minibatches.

Each takes the array namespace ``xp`` of its arrays. Under NumPy a loss is a
Python float and the class indices are used directly (fancy indexing); in
other namespaces a loss stays a 0-d array on the arrays' device, so that a
training loop converts it to a number once per epoch rather than
synchronising with the device after every batch, and the true classes are
picked by a comparison with ``arange(n_classes)``, which the array API has.
"""

import numpy as np

from .ops import smallest_normal, true_class_proba, vecdot, weighted_sum, xlogy


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
    return negative_log_likelihood(true_class_proba(y, P), scale, xp)


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
    log_p = xp.log(xp.clip(p_true, min=smallest_normal(p_true)))
    return -weighted_sum(log_p, scale)


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
    return weighted_sum(losses, scale)


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
    return weighted_sum(0.5 * vecdot(residual, residual), scale)


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
    P = xp.clip(P, min=smallest_normal(P))
    losses = xp.sum(xlogy(Y, Y / P) - Y + P, axis=-1)
    return weighted_sum(losses, scale)


# Keyed by the output activation: the canonical loss of each, whose gradient
# with respect to the logits is simply P - Y.
LOSSES = {
    "softmax": softmax_cross_entropy,
    "logistic": binary_cross_entropy,
    "identity": half_squared_error,
    "exp": half_poisson_deviance,
}
