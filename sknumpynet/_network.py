"""The network as mathematics: parameters, forward pass, loss and backpropagation.

Nothing here knows about scikit-learn or an estimator. A :class:`Network` is
its layer sizes, the names of its activations and one flat parameter vector,
of which the weight matrices ``coefs`` and bias vectors ``intercepts`` are
views, so that an optimizer step is one array operation.

Shapes: a batch ``X`` is ``(n_samples, layer_units[0])``; ``coefs[i]`` is
``(layer_units[i], layer_units[i + 1])``; the activations of layer ``i`` are
``(n_samples, layer_units[i])``.
"""

import numpy as np

from ._activations import ACTIVATIONS, DERIVATIVES
from ._losses import LOSSES, OUTPUT_DELTAS


def n_params(layer_units):
    """Return the number of weights and biases of a network of these layers."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(layer_units, layer_units[1:]))


def unpack(flat, layer_units):
    """Cut a flat parameter vector into weight matrices and bias vectors (views).

    The weight matrices come first, layer by layer, then the bias vectors.
    """
    coefs, intercepts, start = [], [], 0
    for n_in, n_out in zip(layer_units, layer_units[1:]):
        coefs.append(flat[start : start + n_in * n_out].reshape(n_in, n_out))
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
    Z : ndarray of shape (n_samples, n_outputs)
    """
    hidden_activation = ACTIVATIONS[activation]
    A = X
    last = len(coefs) - 1
    for i, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        A = A @ coef
        if i == 0 and check_finite and not np.isfinite(A).all():
            raise ValueError(
                "Input X contains NaN or infinity (or values so large that the "
                "network's first layer overflows). Remove or impute them, e.g. "
                "with sklearn.impute.SimpleImputer."
            )
        A += intercept
        if i < last:
            hidden_activation(A)
    return A


def _sparse_dot_into(A, B, out):
    """Write ``A @ B`` into ``out`` where ``A`` is a scipy sparse matrix."""
    out[...] = A @ B
    return out


class Workspace:
    """Work arrays for batches of up to ``batch_size`` samples, allocated once.

    ``activations[i]`` of shape ``(batch_size, layer_units[i])`` holds the
    output of layer ``i`` (``activations[0]``, the input batch, is set per
    batch). ``deltas[i]`` is the error signal of hidden layer ``i + 1``; the
    output layer's delta is computed in place in ``activations[-1]``. The
    gradients ``coef_grads`` and ``intercept_grads`` are views into
    ``flat_grad``, laid out like the flat parameter vector. ``X`` is a buffer
    that minibatches of dense input are gathered into (None for sparse input
    or full-batch training). ``dot`` multiplies the input batch, dense or
    sparse, by the first weight matrix.
    """

    def __init__(self, batch_size, layer_units, dtype, sparse_input, gather=True):
        self.X = (
            np.empty((batch_size, layer_units[0]), dtype=dtype)
            if gather and not sparse_input
            else None
        )
        self.activations = [None] + [
            np.empty((batch_size, n), dtype=dtype) for n in layer_units[1:]
        ]
        self.deltas = [
            np.empty((batch_size, n), dtype=dtype) for n in layer_units[1:-1]
        ]
        self.flat_grad = np.empty(n_params(layer_units), dtype=dtype)
        self.coef_grads, self.intercept_grads = unpack(self.flat_grad, layer_units)
        self.n_weights = sum(c.size for c in self.coef_grads)
        self.weight_decay = np.empty(self.n_weights, dtype=dtype)
        self.rows = np.arange(batch_size)
        self.dot = _sparse_dot_into if sparse_input else np.matmul
        self._cuts = {}

    def cut(self, n):
        """Return the activations, deltas and row indices of a batch of ``n``."""
        if n not in self._cuts:
            self._cuts[n] = (
                [None] + [a[:n] for a in self.activations[1:]],
                [d[:n] for d in self.deltas],
                self.rows[:n],
            )
        return self._cuts[n]

    def take_rows(self, X, idx):
        """Gather rows ``idx`` of ``X``: into the buffer when X is dense."""
        if self.X is None:
            return X[idx]
        # mode="clip" skips the bounds check, which copies through a hidden
        # temporary; the indices are ours and always valid.
        return X.take(idx, axis=0, out=self.X[: idx.shape[0]], mode="clip")


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
    flat : ndarray of shape (n_params(layer_units),)
        The parameters; ``coefs`` and ``intercepts`` are views of it.
    """

    def __init__(self, layer_units, activation, out_activation, flat):
        self.layer_units = list(layer_units)
        self.activation = activation
        self.out_activation = out_activation
        self.flat = flat
        self.coefs, self.intercepts = unpack(flat, self.layer_units)
        self.n_weights = sum(c.size for c in self.coefs)

    @classmethod
    def initialize(cls, layer_units, activation, out_activation, dtype, rng):
        """Draw the initial weights (Glorot and Bengio, 2010).

        Weights and biases are uniform in ``[-b, b]`` with
        ``b = sqrt(f / (fan_in + fan_out))``, ``f = 2`` for logistic units and
        6 otherwise, as in scikit-learn. They are drawn in float64 so that
        both precisions start from the same network.
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
        return network.astype(dtype)

    @classmethod
    def from_weights(cls, coefs, intercepts, activation, out_activation):
        """Build a network from a copy of these weights, in one new flat vector."""
        layer_units = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
        flat = np.concatenate([p.ravel() for p in list(coefs) + list(intercepts)])
        return cls(layer_units, activation, out_activation, flat)

    def astype(self, dtype):
        """Return a copy of the network with parameters of ``dtype``."""
        return type(self)(
            self.layer_units,
            self.activation,
            self.out_activation,
            self.flat.astype(dtype),
        )

    def copy(self):
        """Return a copy with its own parameters."""
        return self.astype(self.flat.dtype)

    def logits(self, X):
        """Return the output layer's pre-activation on ``X`` (see :func:`logits`)."""
        return logits(X, self.coefs, self.intercepts, self.activation)

    def penalty(self):
        """Half the squared norm of the weights (biases are not penalised)."""
        weights = self.flat[: self.n_weights]
        return 0.5 * float(np.dot(weights, weights))

    def loss(self, Z, y, sample_weight=None):
        """Mean loss of output pre-activations ``Z`` against encoded targets ``y``.

        ``Z`` is overwritten with the output activation.
        """
        P = ACTIVATIONS[self.out_activation](Z)
        total = LOSSES[self.out_activation](y, P, sample_weight)
        return total / (y.shape[0] if sample_weight is None else sample_weight.sum())

    def forward(self, activations, masks=None, dot=np.matmul):
        """Fill ``activations[1:]`` from the input batch ``activations[0]``.

        ``activations[-1]`` ends up holding the output activation (for
        example the class probabilities). ``masks[i]``, when given, is the
        inverted-dropout mask of hidden layer ``i + 1``. ``dot`` multiplies
        the input batch by the first weight matrix.
        """
        hidden_activation = ACTIVATIONS[self.activation]
        last = len(self.coefs) - 1
        for i, (coef, intercept) in enumerate(zip(self.coefs, self.intercepts)):
            Z = (dot if i == 0 else np.matmul)(
                activations[i], coef, out=activations[i + 1]
            )
            Z += intercept
            if i < last:
                hidden_activation(Z)
                if masks is not None:
                    Z *= masks[i]
        ACTIVATIONS[self.out_activation](activations[-1])
        return activations

    def backprop(self, X, y, scale, l2, workspace, masks=None, keep=1.0, p_true=None):
        """Compute the loss of a batch and the gradient of every parameter.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            The input batch.
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Encoded targets: class indices for a softmax output, else a
            matrix of the same shape as the output.
        scale : ndarray of shape (n_samples,) or None
            The weight of each sample's loss; None means all ones.
        l2 : float
            Strength of the L2 penalty ``l2 / 2 * ||W||^2``.
        workspace : Workspace
            Work arrays; the gradient is written to ``workspace.flat_grad``.
        masks : list of ndarray, default=None
            Inverted-dropout masks of the hidden layers.
        keep : float, default=1.0
            The probability of keeping a unit under dropout.
        p_true : ndarray of shape (n_samples,), default=None
            Softmax output only: where to write the probability of each
            sample's true class *instead* of computing the loss, so that the
            caller takes their log once per epoch rather than once per batch.

        Returns
        -------
        loss : float
            The *sum* over the batch of the weighted loss, plus the penalty;
            with ``p_true``, the penalty alone. The gradient is that of the
            sum divided by ``n_samples``.
        """
        n_samples = X.shape[0]
        activations, deltas, rows = workspace.cut(n_samples)
        coef_grads, intercept_grads = workspace.coef_grads, workspace.intercept_grads
        activations[0] = X
        self.forward(activations, masks, workspace.dot)
        out = self.out_activation
        if p_true is None:
            loss = LOSSES[out](y, activations[-1], scale, rows)
        else:
            p_true[...] = activations[-1][rows, y]
            loss = 0.0
        # The output delta P - Y overwrites the output activation.
        delta = OUTPUT_DELTAS[out](y, activations[-1], rows)
        if scale is None:
            delta *= 1.0 / n_samples
        else:
            delta *= (scale * (1.0 / n_samples))[:, np.newaxis]

        derivative = DERIVATIVES[self.activation]
        for i in range(len(self.coefs) - 1, -1, -1):
            (workspace.dot if i == 0 else np.matmul)(
                activations[i].T, delta, out=coef_grads[i]
            )
            np.add.reduce(delta, axis=0, out=intercept_grads[i])
            if i == 0:
                # No delta for the input layer: nothing below it learns.
                break
            delta = np.matmul(delta, self.coefs[i].T, out=deltas[i - 1])
            if masks is not None:
                delta *= masks[i - 1]
                # Undo the mask's 1/keep scaling so the derivative sees the
                # unit's real output (dropped units have zero delta anyway).
                activations[i] *= keep
            derivative(activations[i], delta)
        if l2:
            loss += l2 * self.penalty()
            # The weights come first in the flat vector: one operation for all.
            weights = self.flat[: workspace.n_weights]
            np.multiply(weights, l2 / n_samples, out=workspace.weight_decay)
            workspace.flat_grad[: workspace.n_weights] += workspace.weight_decay
        return loss
