"""The parameters both estimators share: their constraints and their documentation.

An estimator's docstring holds ``%(parameters)s`` where its Parameters
section goes and ``%(attributes)s`` where the shared fitted attributes go.
:func:`document` fills them in, every parameter in the order of the
estimator's ``__init__`` with the estimator's own default, taking its text
from the estimator's ``_parameter_docs`` when it has one (a default with its
own reasons), else from ``PARAMETER_DOCS`` here.
"""

import inspect
import textwrap
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
    "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
    "alpha": [Interval(Real, 0, None, closed="neither")],
    "l2": [Interval(Real, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left"), None],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "dtype": [StrOptions({"float32", "float64"}), None],
}

# name: (type, description)
PARAMETER_DOCS = {
    "hidden_layer_sizes": (
        "array-like of shape (n_layers - 2,)",
        "The number of units in each hidden layer.",
    ),
    "activation": (
        "{'tanh', 'relu', 'logistic', 'identity'}",
        "Activation function of the hidden layers.",
    ),
    "solver": (
        "{'sgd', 'adam', 'lbfgs'}",
        "The optimizer: minibatch stochastic gradient descent, Adam, or the\n"
        "full-batch quasi-Newton method L-BFGS (through ``scipy.optimize``).",
    ),
    "alpha": (
        "float",
        "**The learning rate** (the initial step size of 'sgd' and 'adam'),\n"
        "under the name the original project gave it. This is *not*\n"
        "scikit-learn's ``alpha``, which is an L2 penalty: that one is called\n"
        "``l2`` here. For ``solver='adam'`` a value near 0.001 is usual.",
    ),
    "l2": (
        "float",
        "Strength of the L2 penalty on the weights (scikit-learn's ``alpha``).\n"
        "The penalty ``l2 / 2 * ||W||^2`` is added to the summed loss of each\n"
        "minibatch before it is normalised, as in scikit-learn.",
    ),
    "batch_size": (
        "int",
        "Number of samples in each minibatch of the stochastic solvers. It is\n"
        "cut down to the number of training samples when it is larger.",
    ),
    "epochs": (
        "int",
        "The maximum number of passes over the training data (stochastic\n"
        "solvers) or of iterations (``'lbfgs'``).",
    ),
    "learning_rate": (
        "{'constant', 'invscaling', 'adaptive'}",
        "Step-size schedule of ``solver='sgd'``: constant, ``alpha / (t + 1)\n"
        "** power_t`` from the end of the first epoch on (``t`` samples seen),\n"
        "or divided by 5 each time the loss stops improving for\n"
        "``n_iter_no_change`` epochs.",
    ),
    "power_t": ("float", "Exponent of the ``'invscaling'`` schedule."),
    "momentum": ("float", "Momentum of ``solver='sgd'``, between 0 and 1."),
    "nesterovs_momentum": (
        "bool",
        "Whether to use Nesterov's momentum when ``momentum > 0``.",
    ),
    "shuffle": ("bool", "Whether to shuffle the samples before each epoch."),
    "random_state": (
        "int, RandomState instance or None",
        "Seeds the weight initialisation, the shuffling, the validation split\n"
        "and dropout. Pass an int for reproducible, bit-identical fits.",
    ),
    "tol": (
        "float or None",
        "Training stops when the loss (or, with ``early_stopping``, the\n"
        "validation score) does not improve by at least ``tol`` for\n"
        "``n_iter_no_change`` consecutive epochs. ``None`` runs all ``epochs``.",
    ),
    "verbose": ("int", "Print one line per epoch: its loss and its duration."),
    "warm_start": (
        "bool",
        "Continue from the weights and optimizer state of the previous fit.",
    ),
    "early_stopping": (
        "bool",
        "Hold out ``validation_fraction`` of the training data, stop when\n"
        "neither its score nor its loss improves by ``tol`` for\n"
        "``n_iter_no_change`` epochs, and restore the weights of the epoch of\n"
        "lowest validation loss. Identical samples are never split between\n"
        "training and validation. Only for the stochastic solvers;\n"
        "``partial_fit`` trains on all data.",
    ),
    "validation_fraction": (
        "float",
        "The fraction of training data held out for early stopping.",
    ),
    "beta_1": ("float", "Decay rate of Adam's first moment estimate."),
    "beta_2": ("float", "Decay rate of Adam's second moment estimate."),
    "epsilon": ("float", "Adam's numerical stability term."),
    "n_iter_no_change": (
        "int or np.inf",
        "Number of epochs without improvement by ``tol`` before stopping.",
    ),
    "max_fun": ("int", "The maximum number of loss evaluations of ``'lbfgs'``."),
    "dropout": (
        "float",
        "Probability of dropping each hidden unit during training (inverted\n"
        "dropout; predictions use the whole network and stay deterministic).",
    ),
    "dtype": (
        "{'float32', 'float64'} or None",
        "The compute precision. ``None`` trains and predicts float32 input in\n"
        "float32 and anything else in float64; a string forces one precision.",
    ),
}

ATTRIBUTE_DOCS = {
    "n_features_in_": ("int", "Number of features seen during fit."),
    "feature_names_in_": (
        "ndarray of shape (`n_features_in_`,)",
        "Names of the features seen during fit, when they are all strings.",
    ),
    "coefs_": (
        "list of ndarray of shape (n_units_in, n_units_out)",
        "``coefs_[i]`` is the weight matrix of layer ``i``.",
    ),
    "intercepts_": (
        "list of ndarray of shape (n_units_out,)",
        "``intercepts_[i]`` is the bias vector of layer ``i``.",
    ),
    "n_iter_": (
        "int",
        "The number of epochs (L-BFGS: iterations) run by the latest call of\n"
        "``fit``, warm-started or not, so ``n_iter_ == epochs`` says that\n"
        "training stopped before converging. Each ``partial_fit`` call adds one.",
    ),
    "t_": (
        "int or float",
        "The number of training samples seen by the stochastic solvers, each\n"
        "counted by its sample weight; it sets the ``'invscaling'`` step size.",
    ),
    "loss_": ("float", "The loss of the last epoch."),
    "loss_curve_": (
        "list of float",
        "The loss of every epoch, over all calls (warm starts included).",
    ),
    "best_loss_": (
        "float or None",
        "The lowest training loss reached. None with ``early_stopping``, as in\n"
        "scikit-learn: there the validation loss decides.",
    ),
    "validation_scores_": (
        "list of float or None",
        "With ``early_stopping``, the score on the held-out set after every\n"
        "epoch (as ``score`` computes it).",
    ),
    "validation_loss_curve_": (
        "list of float or None",
        "With ``early_stopping``, the loss on the held-out set after every epoch.",
    ),
    "best_validation_loss_": (
        "float or None",
        "With ``early_stopping``, the lowest held-out loss: its epoch's weights\n"
        "are the ones kept.",
    ),
    "best_validation_score_": (
        "float or None",
        "With ``early_stopping``, the held-out score of the epoch kept.",
    ),
    "n_layers_": ("int", "Number of layers, input and output included."),
    "n_outputs_": ("int", "Number of output units."),
}


def _entry(name, kind, text, default=inspect.Parameter.empty):
    head = f"{name} : {kind}"
    if default is not inspect.Parameter.empty:
        head += f", default={default!r}"
    return textwrap.indent(head, "    ") + "\n" + textwrap.indent(text, " " * 8)


def document(cls):
    """Fill in the shared parameters and attributes of ``cls``'s docstring."""
    own = getattr(cls, "_parameter_docs", {})
    signature = inspect.signature(cls.__init__).parameters.values()
    parameters = "\n\n".join(
        _entry(p.name, *own.get(p.name, PARAMETER_DOCS.get(p.name)), p.default)
        for p in signature
        if p.name != "self"
    )
    attributes = "\n\n".join(
        _entry(name, *entry) for name, entry in ATTRIBUTE_DOCS.items()
    )
    cls.__doc__ = cls.__doc__.replace("    %(parameters)s", parameters).replace(
        "    %(attributes)s", attributes
    )
    return cls
