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

from ._array_api import namespace_of, numpy_dtype, to_device

# The smallest positive number of each precision, looked up once.
_TINY = {np.dtype(t): np.finfo(t).tiny for t in (np.float32, np.float64)}


def _weighted_sum(losses, scale, xp=np):
    if xp is np:
        if scale is None:
            return float(np.add.reduce(losses))
        return float(np.dot(losses, scale))
    return xp.sum(losses if scale is None else losses * scale)


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
    P : ndarray of shape (n_samples, n_classes)
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
        return P[np.arange(y.shape[0]), y]
    return xp.sum(P * one_hot(y, P.shape[1], P.dtype, xp), axis=1)


def negative_log_likelihood(p_true, scale=None, xp=np):
    """Sum of ``-log p`` over the probabilities of the true classes.

    Parameters
    ----------
    p_true : ndarray of shape (n_samples,)
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
    P : ndarray of shape (n_samples, n_outputs)
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
    losses = -xp.sum(Y * xp.log(P) + (1 - Y) * xp.log1p(-P), axis=1)
    return _weighted_sum(losses, scale, xp)


def half_squared_error(Y, P, scale=None, xp=np):
    """Sum over the samples of ``sum((P - Y) ** 2) / 2`` over the outputs.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        The targets.
    P : ndarray of shape (n_samples, n_outputs)
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
        losses = 0.5 * np.einsum("ij,ij->i", residual, residual)
    else:
        losses = 0.5 * xp.sum(residual * residual, axis=1)
    return _weighted_sum(losses, scale, xp)


def half_poisson_deviance(Y, P, scale=None, xp=np):
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
    losses = xp.sum(y_log_ratio - Y + P, axis=1)
    return _weighted_sum(losses, scale, xp)


# Keyed by the output activation: the canonical loss of each, whose gradient
# with respect to the logits is simply P - Y.
LOSSES = {
    "softmax": softmax_cross_entropy,
    "logistic": binary_cross_entropy,
    "identity": half_squared_error,
    "exp": half_poisson_deviance,
}


def _take(A, idx, xp):
    return A.take(idx, axis=0) if xp is np else xp.take(A, idx, axis=0)


class Targets:
    """The targets of the samples of an epoch, in the order they are trained on.

    Built once per epoch and cut into minibatches by rows ``start:stop``, so
    that a batch slices its targets instead of gathering them. Every loss
    here has the output delta ``(P - Y) * w``, where ``w`` is a sample's
    weight in the batch's mean; a batch computes it as ``P * w - Y * w``,
    two array operations, with ``w`` and ``Y * w`` (the one-hot matrix, for
    class indices) made once per epoch.

    Parameters
    ----------
    out_activation : str
        Name of the output activation; it also names the loss.
    y : array of shape (n_samples,) or (n_samples, n_outputs)
        Encoded targets: class indices for a softmax output, else a matrix.
    scale : array of shape (n_samples,) or None
        The weight of each sample's loss; None means all ones.
    order : array of int of shape (n_train,)
        The rows of ``y`` in training order, in the namespace of ``y``.
    batch_size : int
        The number of samples per batch (the last batch may be smaller).
    n_outputs : int
        The number of output units.
    step : float, default=1.0
        What the whole gradient is multiplied by: an SGD optimizer's learning
        rate, so that its update is one subtraction.

    Notes
    -----
    Under NumPy the output layer of a batch is stored column-major (the
    network's :class:`~sknumpynet._network.Workspace` makes it so), which
    makes its sums over the classes run along contiguous memory;
    ``true_index`` locates each sample's true class in that memory.
    """

    def __init__(
        self, out_activation, y, scale, order, batch_size, n_outputs, dtype, step=1.0
    ):
        xp, device = namespace_of(y)
        n = order.shape[0]
        self.out_activation, self.xp, self.step = out_activation, xp, step
        self.y = _take(y, order, xp)
        self.scale = None if scale is None else _take(scale, order, xp)
        # Each sample's place in its batch, and its batch's size: the
        # gradient is the mean over a batch.
        position = np.arange(n) % batch_size
        batch_n = np.minimum(batch_size, n - np.arange(n) + position)
        weight = (step / batch_n).astype(numpy_dtype(dtype))
        if xp is not np:
            weight = to_device(weight, xp, device)
        if self.scale is not None:
            weight = weight * self.scale
        self.weight = xp.reshape(weight, (-1, 1))
        self.p_true = self.true_index = None
        if out_activation == "softmax":
            # The loss takes the log of the true classes' probabilities once
            # per epoch, instead of once per batch.
            self.p_true = xp.empty(n, dtype=dtype, device=device)
            if xp is np:
                self.Y = np.zeros((n, n_outputs), dtype, order="F")
                self.Y[np.arange(n), self.y] = weight
                self.true_index = position + self.y * batch_n
            else:
                self.Y = one_hot(self.y, n_outputs, dtype, xp) * self.weight
        elif xp is np:
            self.Y = np.multiply(
                self.y, self.weight, out=np.empty((n, n_outputs), dtype, order="F")
            )
        else:
            self.Y = xp.astype(self.y, dtype) * self.weight

    def record(self, P, start, stop):
        """Return the summed loss of rows ``start:stop`` with outputs ``P``.

        A softmax output keeps its true-class probabilities for
        :meth:`recorded_loss` and returns 0.
        """
        xp = self.xp
        if self.p_true is not None:
            if xp is np:
                # P is column-major: P.T.ravel() is a view, and take() with
                # mode="clip" skips the bounds check's hidden copy.
                P.T.ravel().take(
                    self.true_index[start:stop],
                    out=self.p_true[start:stop],
                    mode="clip",
                )
            else:
                y = self.y[start:stop, ...]
                self.p_true[start:stop] = true_class_proba(y, P, xp)
            return 0.0
        scale = None if self.scale is None else self.scale[start:stop]
        return LOSSES[self.out_activation](self.y[start:stop, ...], P, scale, xp=xp)

    def delta(self, P, start, stop):
        """Return ``(P - Y) * w`` of rows ``start:stop``; under NumPy, in ``P``."""
        if self.xp is np:
            P *= self.weight[start:stop, ...]
            P -= self.Y[start:stop, ...]
            return P
        return P * self.weight[start:stop, ...] - self.Y[start:stop, ...]

    def recorded_loss(self, start=0, stop=None):
        """Return the summed loss that :meth:`record` kept for rows ``start:stop``."""
        if self.p_true is None:
            return 0.0
        scale = None if self.scale is None else self.scale[start:stop]
        return negative_log_likelihood(self.p_true[start:stop], scale, self.xp)
