"""The network as mathematics: parameters, forward pass, loss and backpropagation.

Nothing here knows about scikit-learn or an estimator. A :class:`Network` is
its layer sizes, the names of its activations and one flat parameter vector,
of which the weight matrices ``coefs`` and bias vectors ``intercepts`` are
views, so that an optimizer step is one array operation.

Shapes: a batch ``X`` is ``(n_samples, layer_units[0])``; ``coefs[i]`` is
``(layer_units[i], layer_units[i + 1])``; the activations of layer ``i`` are
``(n_samples, layer_units[i])``.

The parameters may live in any array-API namespace (PyTorch, CuPy, ...) and
on any device; the network computes in that namespace, ``xp``. Under NumPy
every step writes into the preallocated arrays of a :class:`Workspace`
(``out=``), which is what makes the loop fast; elsewhere the same formulas
return new arrays, which the libraries of GPUs allocate from a cache.
"""

from contextlib import nullcontext

import numpy as np

from ._activations import ACTIVATIONS, DERIVATIVES
from ._array_api import namespace_of, take, to_device
from ._losses import LOSSES


def n_params(layer_units):
    """Return the number of weights and biases of a network of these layers."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(layer_units, layer_units[1:]))


def unpack(flat, layer_units, xp=np):
    """Cut a flat parameter vector into weight matrices and bias vectors (views).

    The weight matrices come first, layer by layer, then the bias vectors.
    """
    coefs, intercepts, start = [], [], 0
    for n_in, n_out in zip(layer_units, layer_units[1:]):
        coefs.append(xp.reshape(flat[start : start + n_in * n_out], (n_in, n_out)))
        start += n_in * n_out
    for n_out in layer_units[1:]:
        intercepts.append(flat[start : start + n_out])
        start += n_out
    return coefs, intercepts


def logits(X, coefs, intercepts, activation, check_finite=False):
    """Run the network on ``X``; return the output layer's pre-activation.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    coefs, intercepts : list of ndarray
        The weights and biases of each layer.
    activation : str
        Name of the hidden layers' activation.
    check_finite : bool, default=False
        Raise a ValueError when a row of X holds NaN or infinity. A row of X
        is non-finite exactly when its product with the first weight matrix
        is (or when that product overflows), so the check reads that product,
        ``n_units / n_features`` of the size of X, instead of X itself.

    Returns
    -------
    Z : array of shape (n_samples, n_outputs)
        In the namespace and on the device of the weights.
    """
    xp = namespace_of(coefs[0])[0]
    hidden_activation = ACTIVATIONS[activation]
    A = X
    last = len(coefs) - 1
    for i, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        checked = i == 0 and check_finite
        # Whether BLAS raises the "invalid" flag on inf input depends on its
        # kernel (SkylakeX does, Haswell not): the flags are ignored and the
        # product is read, so the error is the same on every CPU.
        with np.errstate(invalid="ignore", over="ignore") if checked else nullcontext():
            A = A @ coef
        if checked and not bool(xp.all(xp.isfinite(A))):
            raise ValueError(
                "Input X contains NaN or infinity (or values so large that the "
                "network's first layer overflows). Remove or impute them, e.g. "
                "with sklearn.impute.SimpleImputer."
            )
        A += intercept
        if i < last:
            A = hidden_activation(A, xp)
    return A


def dot_into(A, B, out):
    """Write ``A @ B`` into ``out`` by ``np.dot``, for dense NumPy arrays.

    ``np.dot`` calls BLAS with less overhead than ``np.matmul``: 0.3 to 0.6
    us less per product of a minibatch, measured. It writes only into a
    C-contiguous ``out``; a column-major ``out`` gets ``B.T @ A.T`` written
    into its (C-contiguous) transpose.
    """
    if out.flags.c_contiguous:
        return np.dot(A, B, out=out)
    np.dot(B.T, A.T, out=out.T)
    return out


def _sparse_dot_into(A, B, out):
    """Write ``A @ B`` into ``out`` where ``A`` is a scipy sparse matrix."""
    out[...] = A @ B
    return out


class Workspace:
    """Work arrays for batches of up to ``batch_size`` samples, allocated once.

    ``activations[i]`` of shape ``(batch_size, layer_units[i])`` holds the
    output of layer ``i`` (``activations[0]``, the input batch, is set per
    batch). ``deltas[i]`` is the error signal of hidden layer ``i + 1``; the
    output layer's delta is computed in place in ``activations[-1]``, which
    is column-major, so that the softmax's sums over the classes and the
    bias gradient's sum over the batch run along contiguous memory. The
    gradients ``coef_grads`` and ``intercept_grads`` are views into
    ``flat_grad``, laid out like the flat parameter vector. ``X`` is a buffer
    that minibatches of dense input are gathered into (None for sparse input
    or full-batch training). ``dot`` multiplies the input batch, dense or
    sparse, by the first weight matrix.

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
    ):
        self.xp = xp
        self.n_layers = len(layer_units)
        self.n_outputs = layer_units[-1]
        self.flat_grad = (
            np.empty(n_params(layer_units), dtype=dtype)
            if xp is np
            else xp.zeros(n_params(layer_units), dtype=dtype, device=device)
        )
        self.coef_grads, self.intercept_grads = unpack(self.flat_grad, layer_units, xp)
        self.n_weights = sum(c.shape[0] * c.shape[1] for c in self.coef_grads)
        self.X = None
        if xp is not np:
            self.dot = None  # only the NumPy path multiplies through it
            return
        if gather and not sparse_input:
            self.X = np.empty((batch_size, layer_units[0]), dtype=dtype)
        self.activations = [None] + [
            np.empty((batch_size, n), dtype=dtype) for n in layer_units[1:-1]
        ]
        self.output = np.empty(batch_size * layer_units[-1], dtype=dtype)
        self.deltas = [
            np.empty((batch_size, n), dtype=dtype) for n in layer_units[1:-1]
        ]
        self.weight_decay = np.empty(self.n_weights, dtype=dtype)
        self.dot = _sparse_dot_into if sparse_input else dot_into
        self._cuts = {}

    def cut(self, n):
        """Return the activations and deltas of a batch of ``n`` samples."""
        if self.xp is not np:
            return [None] * self.n_layers, [None] * (self.n_layers - 2)
        if n not in self._cuts:
            self._cuts[n] = (
                [None]
                + [a[:n] for a in self.activations[1:]]
                # The output, column-major (the transpose of a C array): the
                # softmax's maximum over 10 classes of 32 samples takes 1.6
                # instead of 2.6 us, the bias gradient 1.4 instead of 1.7.
                + [self.output[: n * self.n_outputs].reshape(self.n_outputs, n).T],
                [d[:n] for d in self.deltas],
            )
        return self._cuts[n]

    def take_rows(self, X, idx):
        """Gather rows ``idx`` of ``X``: into the buffer when X is dense."""
        return take(X, idx, self.X, self.xp)


class Network:
    """A feed-forward network: layer sizes, activations and flat parameters.

    Parameters
    ----------
    layer_units : list of int
        Sizes of the layers, input and output included.
    activation : str
        Name of the hidden layers' activation (a key of ``ACTIVATIONS``).
    out_activation : str
        Name of the output activation; it also names the loss (``LOSSES``).
    flat : array of shape (n_params(layer_units),)
        The parameters; ``coefs`` and ``intercepts`` are views of it. Its
        namespace and device (``xp``, ``device``) are the network's.
    """

    def __init__(self, layer_units, activation, out_activation, flat):
        self.layer_units = list(layer_units)
        self.activation = activation
        self.out_activation = out_activation
        self.flat = flat
        self.xp, self.device = namespace_of(flat)
        self.coefs, self.intercepts = unpack(flat, self.layer_units, self.xp)
        self.n_weights = sum(c.shape[0] * c.shape[1] for c in self.coefs)

    @classmethod
    def initialize(
        cls, layer_units, activation, out_activation, dtype, rng, xp=np, device=None
    ):
        """Draw the initial weights (Glorot and Bengio, 2010).

        Weights and biases are uniform in ``[-b, b]`` with
        ``b = sqrt(f / (fan_in + fan_out))``, ``f = 2`` for logistic units and
        6 otherwise, as in scikit-learn. They are drawn on the host in float64
        by ``rng``, so that both precisions and every namespace start from the
        same network, and then moved to ``device`` of namespace ``xp`` once.
        """
        network = cls(
            layer_units, activation, out_activation, np.empty(n_params(layer_units))
        )
        factor = 2.0 if activation == "logistic" else 6.0
        for coef, intercept in zip(network.coefs, network.intercepts):
            fan_in, fan_out = coef.shape
            bound = np.sqrt(factor / (fan_in + fan_out))
            coef[...] = rng.uniform(-bound, bound, (fan_in, fan_out))
            intercept[...] = rng.uniform(-bound, bound, fan_out)
        if xp is np:
            return network.astype(dtype)
        flat = xp.astype(to_device(network.flat, xp, device), dtype)
        return cls(layer_units, activation, out_activation, flat)

    @classmethod
    def from_weights(cls, coefs, intercepts, activation, out_activation):
        """Build a network from a copy of these weights, in one new flat vector."""
        xp = namespace_of(coefs[0])[0]
        layer_units = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
        parts = [xp.reshape(p, (-1,)) for p in list(coefs) + list(intercepts)]
        flat = np.concatenate(parts) if xp is np else xp.concat(parts)
        return cls(layer_units, activation, out_activation, flat)

    def astype(self, dtype):
        """Return a copy of the network with parameters of ``dtype``."""
        xp = self.xp
        # Both copy, even to the same dtype.
        flat = self.flat.astype(dtype) if xp is np else xp.astype(self.flat, dtype)
        return type(self)(self.layer_units, self.activation, self.out_activation, flat)

    def copy(self):
        """Return a copy with its own parameters."""
        return self.astype(self.flat.dtype)

    def logits(self, X):
        """Return the output layer's pre-activation on ``X`` (see :func:`logits`)."""
        return logits(X, self.coefs, self.intercepts, self.activation)

    def penalty(self):
        """Half the squared norm of the weights (biases are not penalised).

        A float under NumPy, a 0-d array on the device elsewhere.
        """
        weights = self.flat[: self.n_weights]
        if self.xp is np:
            return 0.5 * float(np.dot(weights, weights))
        return 0.5 * self.xp.sum(weights * weights)

    def loss(self, Z, y, sample_weight=None):
        """Mean loss of output pre-activations ``Z`` against encoded targets ``y``.

        ``Z`` may be overwritten. A float under NumPy, a 0-d array elsewhere.
        """
        xp = self.xp
        P = ACTIVATIONS[self.out_activation](Z, xp)
        total = LOSSES[self.out_activation](y, P, sample_weight, xp=xp)
        if sample_weight is None:
            return total / y.shape[0]
        return total / xp.sum(sample_weight)

    def forward(self, activations, masks=None, dot=dot_into):
        """Fill ``activations[1:]`` from the input batch ``activations[0]``.

        ``activations[-1]`` ends up holding the output activation (for
        example the class probabilities). ``masks[i]``, when given, is the
        inverted-dropout mask of hidden layer ``i + 1``. ``dot`` multiplies
        the input batch by the first weight matrix.
        """
        xp = self.xp
        hidden_activation = ACTIVATIONS[self.activation]
        last = len(self.coefs) - 1
        for i, (coef, intercept) in enumerate(zip(self.coefs, self.intercepts)):
            if xp is np:
                Z = (dot if i == 0 else dot_into)(
                    activations[i], coef, activations[i + 1]
                )
            else:
                Z = activations[i] @ coef
            Z += intercept
            if i < last:
                Z = hidden_activation(Z, xp)
                if masks is not None:
                    Z *= masks[i]
            activations[i + 1] = Z
        activations[-1] = ACTIVATIONS[self.out_activation](activations[-1], xp)
        return activations

    def backprop(self, X, targets, start, stop, l2, workspace, masks=None, keep=1.0):
        """Compute the loss of a batch and the gradient of every parameter.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            The input batch: the samples of rows ``start:stop`` of
            ``targets``.
        targets : Targets
            The targets of the epoch, in training order (see
            :class:`~sknumpynet._losses.Targets`).
        start, stop : int
            The batch's rows of ``targets``.
        l2 : float
            Strength of the L2 penalty ``l2 / 2 * ||W||^2``.
        workspace : Workspace
            Work arrays; the gradient is written to ``workspace.flat_grad``.
        masks : list of ndarray, default=None
            Inverted-dropout masks of the hidden layers.
        keep : float, default=1.0
            The probability of keeping a unit under dropout.

        Returns
        -------
        loss : float
            The *sum* over the batch of the weighted loss, plus the penalty.
            A softmax output's loss goes to ``targets.recorded_loss`` instead
            (its log is taken once per epoch), so then only the penalty. The
            gradient, that of the sum divided by ``n_samples``, is multiplied
            by ``targets.step``.
        """
        xp = self.xp
        n_samples = stop - start
        activations, deltas = workspace.cut(n_samples)
        coef_grads, intercept_grads = workspace.coef_grads, workspace.intercept_grads
        activations[0] = X
        self.forward(activations, masks, workspace.dot)
        loss = targets.record(activations[-1], start, stop)
        # The output delta (P - Y) * w overwrites the output activation.
        delta = targets.delta(activations[-1], start, stop)

        derivative = DERIVATIVES[self.activation]
        for i in range(len(self.coefs) - 1, -1, -1):
            if xp is np:
                (workspace.dot if i == 0 else dot_into)(
                    activations[i].T, delta, coef_grads[i]
                )
                np.add.reduce(delta, axis=0, out=intercept_grads[i])
            else:
                coef_grads[i][...] = activations[i].T @ delta
                intercept_grads[i][...] = xp.sum(delta, axis=0)
            if i == 0:
                # No delta for the input layer: nothing below it learns.
                break
            if xp is np:
                delta = dot_into(delta, self.coefs[i].T, deltas[i - 1])
            else:
                delta = delta @ self.coefs[i].T
            if masks is not None:
                delta *= masks[i - 1]
                # Undo the mask's 1/keep scaling so the derivative sees the
                # unit's real output (dropped units have zero delta anyway).
                activations[i] *= keep
            delta = derivative(activations[i], delta, xp)
        if l2:
            loss += l2 * self.penalty()
            # The weights come first in the flat vector: one operation for all.
            weights = self.flat[: workspace.n_weights]
            decay = l2 * targets.step / n_samples
            if xp is np:
                np.multiply(weights, decay, out=workspace.weight_decay)
                workspace.flat_grad[: workspace.n_weights] += workspace.weight_decay
            else:
                workspace.flat_grad[: workspace.n_weights] += weights * decay
        return loss
