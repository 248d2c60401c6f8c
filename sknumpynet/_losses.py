"""Loss functions of the output layer, and the targets of a training epoch.

Each output activation has its canonical loss, whose gradient with respect
to the output's pre-activation is simply ``P - Y``: softmax with the
cross-entropy, logistic (multilabel) with the binary cross-entropy, identity
with half the squared error and exp (a log link) with half the Poisson
deviance. ``softmax`` outputs take the targets as class *indices* (``y`` of
shape ``(n_samples,)``); the others take a matrix ``Y`` of shape
``(n_samples, n_outputs)``. Losses return the *sum* over the samples (and
outputs), weighted by ``scale`` when given, so that the caller decides on
the normalisation. :class:`Targets` lays an epoch's targets out in training
order for the output delta ``P - Y`` of its minibatches (for softmax, the
one-hot matrix, made once per epoch).

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

from ._array_api import numpy_dtype, take, to_device
from ._ops import as_number, per_network, transpose

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


# The rows of targets laid out at a time: 4,096 MNIST samples of 10 classes
# take 0.2 MB in float32, where a whole epoch of 60,000 took 5.5 MB; each
# window costs about 20 us to fill, 0.3 ms of a 150 ms epoch.
WINDOW_ROWS = 4096


class Targets:
    """The targets of the samples of an epoch, in the order they are trained on.

    Made once per fit and given each epoch's order (:meth:`fill`); a minibatch
    is rows ``start:stop`` of the epoch, and its targets are a slice of a
    window of about ``WINDOW_ROWS`` rows laid out in that order, so that a
    batch slices its targets instead of gathering them. Every loss here has
    the output delta ``(P - Y) * w``, where ``w`` is a sample's weight in its
    batch's mean; a batch computes it as ``P * w - Y * w``, two array
    operations, with ``w`` and ``Y * w`` (the one-hot matrix, for class
    indices) made once per window.

    Parameters
    ----------
    out_activation : str
        Name of the output activation; it also names the loss.
    n_outputs : int
        The number of output units.
    n_samples : int
        The number of samples of an epoch.
    batch_size : int
        The number of samples per batch (the last batch may be smaller).
    dtype : dtype
        The floating-point type of the network.
    xp : namespace, default=numpy
    device : device, default=None
    stack : tuple, default=()
        ``(k,)`` for the outputs of k networks side by side, ``(k,
        n_samples, n_outputs)``: each with its own step (learning rate) and
        its own loss.

    Notes
    -----
    A window holds a whole number of batches, so no batch straddles two.
    Under NumPy the output layer of a batch is stored column-major (the
    network's :class:`~sknumpynet._network.Workspace` makes it so), which
    makes its sums over the classes run along contiguous memory;
    ``true_index`` locates each sample's true class in that memory. The
    arrays are allocated once and refilled in place for every window.
    """

    def __init__(
        self,
        out_activation,
        n_outputs,
        n_samples,
        batch_size,
        dtype,
        xp=np,
        device=None,
        stack=(),
    ):
        self.stack = tuple(stack)
        self.out_activation, self.n_outputs = out_activation, n_outputs
        self.xp, self.device, self.dtype, self.step = xp, device, dtype, 1.0
        self.n_samples, self.batch_size = n_samples, batch_size
        n = min(n_samples, batch_size * max(1, WINDOW_ROWS // batch_size))
        self.window_rows = n
        # Each row's place in its batch, the same in every window.
        self.position = np.arange(n) % batch_size
        softmax = out_activation == "softmax"
        # The loss takes the log of the true classes' probabilities once per
        # window, instead of once per batch.
        self.p_true = (
            xp.empty((*self.stack, n), dtype=dtype, device=device) if softmax else None
        )
        self.true_index = self.y = self.scale = None
        if xp is np:
            self.weight = np.empty((*self.stack, n, 1), dtype)
            # Column-major matrices, like the output layer they are subtracted from.
            self.Y = transpose(np.empty((*self.stack, n_outputs, n), dtype))
            if softmax:
                self.rows = np.arange(n)
                self.true_index = np.empty(n, dtype=np.intp)

    def fill(self, y, scale, order, step=1.0):
        """Take the targets of the epoch's samples ``order``, in that order.

        Parameters
        ----------
        y : array of shape (n_samples,) or (n_samples, n_outputs)
            Encoded targets: class indices for a softmax output, else a
            matrix.
        scale : array of shape (n_samples,) or None
            The weight of each sample's loss; None means all ones.
        order : array of int of shape (n_train,)
            The rows of ``y`` in training order, in the namespace of ``y``.
        step : float or ndarray of shape (k,), default=1.0
            What the whole gradient is multiplied by: an SGD optimizer's
            learning rate (of each network of a stack), so that its update
            is one subtraction.
        """
        self.epoch = y, scale, order
        self.step = step
        self.first = None  # the epoch's first row in the window
        self.closed_loss = 0.0  # the loss kept by the windows left behind
        return self

    def _window(self, start, stop):
        """Return rows ``start:stop`` of the epoch as rows of the window.

        Lays out the window that holds them when they are not in it.
        """
        first = start - start % self.window_rows
        if first != self.first:
            if self.first is not None:
                self.closed_loss += self._window_loss(0, self.window_rows)
            self._lay_out(first, min(first + self.window_rows, self.n_samples))
        return start - first, stop - first

    def _lay_out(self, first, last):
        """Lay out the targets of the epoch's rows ``first:last``."""
        xp, n = self.xp, last - first
        y, scale, order = self.epoch
        order = order[first:last, ...]
        self.first = first
        # Each row's batch size: the gradient is the mean over a batch.
        batch_n = np.minimum(
            self.batch_size, self.n_samples - first - np.arange(n) + self.position[:n]
        )
        inverse_n = (1.0 / batch_n).astype(numpy_dtype(self.dtype))
        if xp is not np:
            step = self.step
            if self.stack:
                step = to_device(np.reshape(step, (-1, 1)), xp, self.device)
            weight = to_device(inverse_n, xp, self.device) * step
            self.y = xp.take(y, order, axis=0)
            if scale is not None:
                self.scale = xp.take(scale, order, axis=0)
                weight = weight * self.scale
            self.weight = xp.reshape(weight, (*self.stack, -1, 1))
            if self.p_true is not None:
                self.Y = one_hot(self.y, self.n_outputs, self.dtype, xp) * self.weight
            else:
                self.Y = xp.astype(self.y, self.dtype) * self.weight
            return
        # The same buffers for every window (new ones if the dtypes change).
        if self.y is None or self.y.dtype != y.dtype:
            self.y = np.empty((self.window_rows, *y.shape[1:]), dtype=y.dtype)
        y_window = take(y, order, self.y[:n], xp)
        weight = self.weight[..., :n, 0]
        np.multiply(inverse_n, per_network(self.step, weight), out=weight)
        if scale is None:
            self.scale = None
        else:
            if self.scale is None or self.scale.dtype != scale.dtype:
                self.scale = np.empty(self.window_rows, dtype=scale.dtype)
            weight *= take(scale, order, self.scale[:n], xp)
        if self.p_true is not None:
            # The one-hot matrix times w: the batch's delta then needs no
            # fancy-indexed subtraction (3.3 us per batch of 32).
            self.Y.fill(0)
            self.Y[..., self.rows[:n], y_window] = weight
            np.multiply(y_window, batch_n, out=self.true_index[:n])
            self.true_index[:n] += self.position[:n]
        else:
            np.multiply(y_window, self.weight[..., :n, :], out=self.Y[..., :n, :])

    def record(self, P, start, stop):
        """Return the summed loss of rows ``start:stop`` with outputs ``P``.

        A softmax output keeps its true-class probabilities for
        :meth:`recorded_loss` and returns 0.
        """
        xp = self.xp
        start, stop = self._window(start, stop)
        if self.p_true is not None:
            if xp is np:
                # P's matrices are column-major: each one's transpose,
                # raveled, is a view, and take() with mode="clip" skips the
                # bounds check's hidden copy (0.5 us per batch of 32,
                # against 1.2 us for P[rows, y]).
                columns = transpose(P).reshape(*self.stack, -1)
                columns.take(
                    self.true_index[start:stop],
                    axis=-1,
                    out=self.p_true[..., start:stop],
                    mode="clip",
                )
            else:
                y = self.y[start:stop, ...]
                self.p_true[..., start:stop] = true_class_proba(y, P, xp)
            return 0.0
        scale = None if self.scale is None else self.scale[start:stop]
        return LOSSES[self.out_activation](self.y[start:stop, ...], P, scale, xp=xp)

    def delta(self, P, start, stop):
        """Return ``(P - Y) * w`` of rows ``start:stop``; under NumPy, in ``P``."""
        start, stop = self._window(start, stop)
        if self.xp is np:
            if self.scale is None:
                # One weight for the whole batch: a scalar multiplies faster
                # than a column (0.9 instead of 1.6 us on 32 x 10).
                P *= per_network(self.step / (stop - start), P)
            else:
                P *= self.weight[..., start:stop, :]
            P -= self.Y[..., start:stop, :]
            return P
        return P * self.weight[..., start:stop, :] - self.Y[..., start:stop, :]

    def recorded_loss(self, start=None, stop=None):
        """Return the summed loss that :meth:`record` kept.

        For the epoch's rows ``start:stop`` (in the window of the latest
        batch); with no rows given, for every row of the epoch so far.
        """
        if start is None:
            last = min(self.window_rows, self.n_samples - self.first)
            return self.closed_loss + self._window_loss(0, last)
        return self._window_loss(start - self.first, stop - self.first)

    def _window_loss(self, start, stop):
        if self.p_true is None:  # the other losses are returned by record()
            return 0.0
        scale = None if self.scale is None else self.scale[start:stop]
        return negative_log_likelihood(self.p_true[..., start:stop], scale, self.xp)
