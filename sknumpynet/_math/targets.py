"""The targets of a training epoch, laid out in the order its minibatches use them.

Every loss of ``losses.py`` has the output delta ``(P - Y) * w``; a
:class:`Targets` holds ``Y * w`` (for class indices, the one-hot matrix
times ``w``) and ``w`` for a window of the epoch's rows, so that each
minibatch slices its targets instead of gathering them. For one network or
a stack of k side by side, each with its own step size.
"""

import numpy as np

from .array_api import numpy_dtype, take, to_device
from .losses import LOSSES, negative_log_likelihood
from .ops import one_hot, per_network, transpose, true_class_proba

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
    network's :class:`~sknumpynet._math.layout.Workspace` makes it so), which
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
        self.y = self.scale = None
        # Where each row's true class lies in the output's memory (NumPy).
        self.true_index = np.empty(n, dtype=np.intp) if softmax else None
        if xp is np:
            self.weight = np.empty((*self.stack, n, 1), dtype)
            # Column-major matrices, like the output layer they are subtracted from.
            self.Y = transpose(np.empty((*self.stack, n_outputs, n), dtype))
            if softmax:
                self.rows = np.arange(n)

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
            if isinstance(step, np.ndarray):  # one per network of a stack
                step = to_device(np.reshape(step, (-1, 1)), xp, self.device)
                step = xp.astype(step, self.dtype)
            weight = to_device(inverse_n, xp, self.device) * step
            self.y = xp.take(y, order, axis=0)
            if scale is not None:
                self.scale = xp.take(scale, order, axis=0)
                weight = weight * self.scale
            self.weight = xp.expand_dims(weight, axis=-1)
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
        start, stop = self._window(start, stop)
        y = self.y[start:stop, ...]
        if self.p_true is not None:
            true_class_proba(
                y,
                P,
                out=self.p_true[..., start:stop],
                flat_index=self.true_index[start:stop],
            )
            return 0.0
        scale = None if self.scale is None else self.scale[start:stop]
        return LOSSES[self.out_activation](y, P, scale, xp=self.xp)

    def delta(self, P, start, stop):
        """Return ``(P - Y) * w`` of rows ``start:stop``; under NumPy, in ``P``."""
        start, stop = self._window(start, stop)
        if self.scale is None:
            # One weight w = step / n for the whole batch: a number multiplies
            # faster than a column (0.9 instead of 1.6 us on 32 x 10).
            w = per_network(self.step / (stop - start), P)
        else:
            w = self.weight[..., start:stop, :]
        P *= w
        P -= self.Y[..., start:stop, :]  # the targets times w already
        return P

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
