"""One epoch of minibatches over a stack of networks: the minibatch loop's inner part.

The random draws (the epoch's order, the dropout masks) stay on the host in
the same NumPy stream for every namespace and move to the device once per
epoch; the loss stays on the device until the end of the epoch, where it is
read once.
"""

import numpy as np

from .._math.array_api import numpy_dtype, to_device, to_numpy_array
from .._math.ops import as_number
from .stopping import DIVERGENCE_FACTOR


class Epoch:
    """One epoch of minibatches over a stack: the loop's inner part.

    Called with the epoch's order of the training rows, it returns the mean
    loss of each network, the divergence limit (set by the fit's first
    batch) and whether each network's weights are finite.
    """

    def __init__(self, stack, X, y, scale, l2, targets, workspace, optimizer, batches):
        self.stack, self.X, self.y, self.scale, self.l2 = stack, X, y, scale, l2
        self.targets, self.workspace, self.optimizer = targets, workspace, optimizer
        self.batches, self.limit = batches, stack.limit
        network = stack.network
        self.dropout = stack.settings["dropout"]
        self.hidden_units = network.layer_units[1:-1]
        self.n_train = batches[-1][1]

    def __call__(self, order, rng):
        """Train one epoch in the given ``order`` of the training rows."""
        network, targets, workspace = self.stack.network, self.targets, self.workspace
        xp, device = network.xp, network.device
        X, dropout, optimizer = self.X, self.dropout, self.optimizer
        # The epoch's random draws move to the device once, not per batch.
        order = to_device(order, xp, device)
        epoch_masks = None
        if dropout and xp is not np:
            epoch_masks = _epoch_masks(
                rng,
                self.n_train,
                self.batches[0][1],
                self.hidden_units,
                dropout,
                X.dtype,
                xp,
                device,
            )
        # The epoch's targets in its order: batches slice them, gather nothing.
        targets.fill(self.y, self.scale, order, optimizer.step)
        total = 0.0
        params, grads = [network.flat], [workspace.flat_grad]
        for start, stop in self.batches:
            masks = None
            if epoch_masks is not None:
                masks = [m[start:stop, ...] for m in epoch_masks]
            elif dropout:
                masks = _dropout_masks(
                    rng, stop - start, self.hidden_units, dropout, X.dtype
                )
            batch_loss = network.backprop(
                workspace.take_rows(X, order[start:stop]),
                targets,
                start,
                stop,
                self.l2,
                workspace,
                masks,
                1.0 - dropout,
            )
            if self.limit is None:
                # The loss of the weights the fit starts from, per sample.
                first = _host(batch_loss + targets.recorded_loss(start, stop))
                self.limit = DIVERGENCE_FACTOR * np.maximum(first / (stop - start), 1.0)
            total += batch_loss
            optimizer.update_params(params, grads)
        total += targets.recorded_loss()
        if xp is np:
            finite = np.isfinite(network.flat).all(axis=-1)
        else:
            # The epoch's one read from the device: non-finite weights turn
            # the loss into NaN (0 * inf), so the loss alone tells both.
            total, finite = _host(total + 0.0 * xp.sum(network.flat, axis=-1)), True
        return as_number(total / self.n_train), self.limit, finite


def _host(value):
    """Return a loss as NumPy floats on the host, from any namespace."""
    if isinstance(value, (float, int, np.ndarray, np.generic)):
        return np.asarray(value, dtype=float)
    return np.asarray(to_numpy_array(value), dtype=float)


def _dropout_masks(rng, n, hidden_units, dropout, dtype):
    """Inverted-dropout masks of one batch of ``n``, one per hidden layer (NumPy)."""
    return [
        (rng.random_sample((n, units)) >= dropout).astype(dtype)
        / dtype.type(1 - dropout)
        for units in hidden_units
    ]


def _epoch_masks(rng, n_train, batch_size, hidden_units, dropout, dtype, xp, device):
    """Draw the dropout masks of a whole epoch and move them to the device once.

    They are drawn batch by batch, as :func:`_dropout_masks` draws them under
    NumPy, so that every namespace sees the same random stream.
    """
    host_dtype = numpy_dtype(dtype)
    masks = [np.empty((n_train, units), dtype=host_dtype) for units in hidden_units]
    for start in range(0, n_train, batch_size):
        n = min(batch_size, n_train - start)
        batch = _dropout_masks(rng, n, hidden_units, dropout, host_dtype)
        for mask, part in zip(masks, batch):
            mask[start : start + n] = part
    return [to_device(mask, xp, device) for mask in masks]
