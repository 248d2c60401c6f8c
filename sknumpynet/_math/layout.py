"""Where a network's numbers live: its flat parameters and a batch's work arrays.

:func:`unpack` cuts one flat parameter vector (or gradient) into the weight
matrices and bias vectors that :class:`~sknumpynet._math.network.Network`
computes with, as views, so that an optimizer step is one array operation;
:func:`stored_transposed` says which weight matrices are kept as their
transposes (the memory order BLAS multiplies fastest). A
:class:`Workspace` holds the arrays a training step writes into under NumPy,
allocated once for every batch of a fit.
"""

import numpy as np

from .array_api import take
from .ops import transpose


def n_params(layer_units):
    """Return the number of weights and biases of a network of these layers."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(layer_units, layer_units[1:]))


def unpack(flat, layer_units, xp=np):
    """Cut a flat parameter vector into weight matrices and bias vectors (views).

    The weight matrices come first, layer by layer, then the bias vectors. A
    stack of networks, ``flat`` of shape ``(k, n_params)``, gives weights
    ``(k, n_in, n_out)`` and biases ``(k, n_out)``. A weight matrix is
    stored row by row, or as its transpose where :func:`stored_transposed`
    says so.
    """
    stack = tuple(flat.shape[:-1])
    coefs, intercepts, start = [], [], 0
    for n_in, n_out in zip(layer_units, layer_units[1:]):
        part = flat[..., start : start + n_in * n_out]
        if stored_transposed(n_in, n_out):
            coefs.append(transpose(xp.reshape(part, (*stack, n_out, n_in))))
        else:
            coefs.append(xp.reshape(part, (*stack, n_in, n_out)))
        start += n_in * n_out
    for n_out in layer_units[1:]:
        intercepts.append(flat[..., start : start + n_out])
        start += n_out
    return coefs, intercepts


def stored_transposed(n_in, n_out):
    """Whether an ``n_in x n_out`` weight matrix is stored as its transpose.

    A narrow layer is: stored ``(n_out, n_in)`` row by row, it is the
    column-major view of that, and OpenBLAS's SkylakeX kernels multiply a
    minibatch of 32 MNIST rows by the 784 x 10 first layer and compute its
    gradient in 9.5 instead of 14.5 us (their Haswell kernels: 23 instead
    of 21 us). A wide layer is not: row by row, the 784 x 256 layer's two
    products take 500 instead of 555 us a batch of 128 (Haswell: 614
    instead of 658 us). Measured by ``benchmarks/bench_layout.py``. A
    function of the shape alone, so that a stack and a single network, on
    any machine, store a layer alike (a saved stack may go on elsewhere).
    """
    return n_out <= 16


class Workspace:
    """Work arrays for batches of up to ``batch_size`` samples, allocated once.

    ``activations[i]`` of shape ``(..., batch_size, layer_units[i])`` holds
    the output of layer ``i`` (``activations[0]``, the input batch, is set
    per batch and has no stack axis: every network of a stack sees the same
    samples). ``deltas[i]`` is the error signal of hidden layer ``i + 1``;
    the output layer's delta is computed in place in ``activations[-1]``,
    whose matrices are column-major, so that the softmax's sums over the
    classes and the bias gradient's sum over the batch run along contiguous
    memory. The gradients ``coef_grads`` and ``intercept_grads`` are views
    into ``flat_grad``, laid out like the flat parameters. ``X`` is a buffer
    that minibatches of dense input are gathered into (None for sparse input
    or full-batch training). ``stack`` is ``()`` for one network, ``(k,)``
    for k side by side.

    Outside NumPy (``xp``) only the gradient is preallocated, on ``device``:
    the batch's arrays are new arrays, and the activations and deltas lists
    are None until a batch fills them.
    """

    def __init__(
        self,
        batch_size,
        layer_units,
        dtype,
        sparse_input,
        gather=True,
        xp=np,
        device=None,
        stack=(),
    ):
        self.xp, self.stack = xp, tuple(stack)
        self.n_networks = int(np.prod(self.stack))
        self.n_layers = len(layer_units)
        self.n_outputs = layer_units[-1]
        shape = (*self.stack, n_params(layer_units))
        self.flat_grad = (
            np.empty(shape, dtype=dtype)
            if xp is np
            else xp.zeros(shape, dtype=dtype, device=device)
        )
        self.coef_grads, self.intercept_grads = unpack(self.flat_grad, layer_units, xp)
        self.n_weights = sum(n * m for n, m in zip(layer_units, layer_units[1:]))
        self.X = self.weight_decay = None
        if xp is not np:
            return
        if gather and not sparse_input:
            self.X = np.empty((batch_size, layer_units[0]), dtype=dtype)
        self.activations = [None] + [
            np.empty((*self.stack, batch_size, n), dtype=dtype)
            for n in layer_units[1:-1]
        ]
        self.output = np.empty(
            self.n_networks * batch_size * layer_units[-1], dtype=dtype
        )
        self.deltas = [
            np.empty((*self.stack, batch_size, n), dtype=dtype)
            for n in layer_units[1:-1]
        ]
        self.weight_decay = np.empty((*self.stack, self.n_weights), dtype=dtype)
        self._cuts = {}

    def cut(self, n):
        """Return the activations and deltas of a batch of ``n`` samples."""
        if self.xp is not np:
            return [None] * self.n_layers, [None] * (self.n_layers - 2)
        if n not in self._cuts:
            # The output, column-major (each matrix the transpose of a C
            # array): the softmax's maximum over 10 classes of 32 samples
            # takes 1.6 instead of 2.6 us, the bias gradient 1.4 instead of 1.7.
            size = self.n_networks * n * self.n_outputs
            output = self.output[:size].reshape(*self.stack, self.n_outputs, n)
            self._cuts[n] = (
                [None]
                + [a[..., :n, :] for a in self.activations[1:]]
                + [transpose(output)],
                [d[..., :n, :] for d in self.deltas],
            )
        return self._cuts[n]

    def take_rows(self, X, idx):
        """Gather rows ``idx`` of ``X``: into the buffer when X is dense."""
        return take(X, idx, self.X, self.xp)
