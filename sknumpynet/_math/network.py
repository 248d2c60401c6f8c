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
every step writes into the preallocated arrays of a workspace (``out=``,
see ``layout.py``, which also says how the parameters are laid out), which
is what makes the loop fast; elsewhere the same formulas return new arrays,
which the libraries of GPUs allocate from a cache.
"""

from contextlib import nullcontext

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES
from .array_api import namespace_of, to_device
from .layout import n_params, stored_transposed, unpack
from .losses import LOSSES
from .ops import (
    as_number,
    matmul,
    multiply,
    per_network,
    sum_samples,
    transpose,
    vecdot,
)


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
    flat : array of shape (..., n_params(layer_units))
        The parameters; ``coefs`` and ``intercepts`` are views of it. Its
        namespace and device (``xp``, ``device``) are the network's. Of
        shape ``(k, n_params)``, a stack of k networks of these layers that
        train side by side (``stack == (k,)``); ``member(j)`` is network j.
    """

    def __init__(self, layer_units, activation, out_activation, flat):
        self.layer_units = list(layer_units)
        self.activation = activation
        self.out_activation = out_activation
        self.flat = flat
        self.xp, self.device = namespace_of(flat)
        self.stack = tuple(flat.shape[:-1])
        self.coefs, self.intercepts = unpack(flat, self.layer_units, self.xp)
        self.n_weights = sum(c.shape[-2] * c.shape[-1] for c in self.coefs)
        # Views made once, not per batch: each bias as a row that adds to
        # every sample, each weight matrix transposed (backpropagation).
        self.bias_rows = [b[..., None, :] for b in self.intercepts]
        self.coefs_T = [transpose(W) for W in self.coefs]

    def stacked(self, k):
        """Return a stack of k copies of this network."""
        flat = self.xp.stack([self.flat] * k)
        return type(self)(self.layer_units, self.activation, self.out_activation, flat)

    def member(self, j):
        """Network ``j`` of a stack: a view of its parameters."""
        flat = self.flat[j, ...]
        return type(self)(self.layer_units, self.activation, self.out_activation, flat)

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
        parts = [
            xp.reshape(transpose(c) if stored_transposed(*c.shape) else c, (-1,))
            for c in coefs
        ]
        parts += [xp.reshape(b, (-1,)) for b in intercepts]
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

        A float under NumPy (one per network of a stack), a 0-d array on the
        device elsewhere.
        """
        weights = self.flat[..., : self.n_weights]
        return as_number(0.5 * vecdot(weights, weights))

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

    def forward(self, activations, masks=None):
        """Fill ``activations[1:]`` from the input batch ``activations[0]``.

        ``activations[i + 1] = f(activations[i] @ W[i] + b[i])``, where the
        bias adds to every sample. ``activations[-1]`` ends up holding the
        output activation (for example the class probabilities).
        ``masks[i]``, when given, is the inverted-dropout mask of hidden
        layer ``i + 1``.
        """
        xp = self.xp
        hidden_activation = ACTIVATIONS[self.activation]
        last = len(self.coefs) - 1
        for i, (W, b) in enumerate(zip(self.coefs, self.bias_rows)):
            Z = matmul(activations[i], W, out=activations[i + 1])
            Z += b
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
            :class:`~sknumpynet._math.targets.Targets`).
        start, stop : int
            The batch's rows of ``targets``.
        l2 : float, ndarray of shape (k,) or None
            Strength of the L2 penalty ``l2 / 2 * ||W||^2`` (of each network
            of a stack); None for none.
        workspace : Workspace
            Work arrays; the gradient is written to ``workspace.flat_grad``.
        masks : list of ndarray, default=None
            Inverted-dropout masks of the hidden layers.
        keep : float, default=1.0
            The probability of keeping a unit under dropout.

        Returns
        -------
        loss : float or ndarray of shape (k,)
            The *sum* over the batch of the weighted loss, plus the penalty.
            A softmax output's loss goes to ``targets.recorded_loss`` instead
            (its log is taken once per epoch), so then only the penalty. The
            gradient, that of the sum divided by ``n_samples``, is multiplied
            by ``targets.step``.
        """
        n_samples = stop - start
        activations, deltas = workspace.cut(n_samples)
        W_grads, b_grads = workspace.coef_grads, workspace.intercept_grads
        activations[0] = X
        self.forward(activations, masks)
        loss = targets.record(activations[-1], start, stop)
        # The output delta (P - Y) * w overwrites the output activation.
        delta = targets.delta(activations[-1], start, stop)

        derivative = DERIVATIVES[self.activation]
        for i in range(len(self.coefs) - 1, -1, -1):
            matmul(transpose(activations[i]), delta, out=W_grads[i])
            sum_samples(delta, out=b_grads[i])
            if i == 0:
                # No delta for the input layer: nothing below it learns.
                break
            delta = matmul(delta, self.coefs_T[i], out=deltas[i - 1])
            if masks is not None:
                delta *= masks[i - 1]
                # Undo the mask's 1/keep scaling so the derivative sees the
                # unit's real output (dropped units have zero delta anyway).
                activations[i] *= keep
            delta = derivative(activations[i], delta, self.xp)
        if l2 is not None:
            penalty = self.penalty()
            loss = loss + per_network(l2, penalty) * penalty
            # The weights come first in the flat vector: one operation for all.
            weights = self.flat[..., : workspace.n_weights]
            decay = per_network(l2 * targets.step / n_samples, weights)
            weight_grads = workspace.flat_grad[..., : workspace.n_weights]
            weight_grads += multiply(weights, decay, out=workspace.weight_decay)
        return loss
