"""The training command's options, and their types: each says what was wrong.

The network's defaults are the estimator's own (one source of truth), and
every option named as a parameter of :class:`NumpyMLPClassifier` passes on
to it unchanged (:data:`SAME_AS_PARAMETERS`).
"""

import argparse
import tempfile
from pathlib import Path

from .._estimators.classifier import NumpyMLPClassifier

# Adam's usual step is far smaller than plain SGD's.
ADAM_ALPHA = 0.001

# The options that are the estimator's parameters, under the same names.
SAME_AS_PARAMETERS = (
    *("activation", "solver", "learning_rate", "power_t", "l2", "epochs"),
    *("batch_size", "momentum", "dropout", "n_iter_no_change"),
    *("early_stopping", "validation_fraction", "random_state"),
)


def positive(kind):
    """Return an argparse type: a number of ``kind`` above zero."""

    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def non_negative(text):
    """Return a number of 0 or more."""
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def fraction(text):
    """Return a number in [0, 1), as momentum, dropout and the held-out share take."""
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def writable_folder(text):
    """Return the folder, made if need be, or fail when it cannot be written."""
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot write to {path}: {exc}") from exc
    return path


def training_parser(version):
    """Return the parser of ``python -m sknumpynet`` (training and evaluation)."""
    parser = argparse.ArgumentParser(
        prog="sknumpynet",
        description="Train a NumPy multilayer perceptron on MNIST and evaluate it.",
        epilog="To ask a saved model about your own digit images: "
        "sknumpynet predict MODEL IMAGE [IMAGE ...]; to draw digits and watch "
        "it read them: sknumpynet draw [MODEL].",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version}")
    _data_options(parser.add_argument_group("data"))
    defaults = NumpyMLPClassifier().get_params()
    network = parser.add_argument_group(
        "network (defaults: those of NumpyMLPClassifier)"
    )
    _network_options(network, defaults)
    _stopping_options(network, defaults)
    _output_options(parser.add_argument_group("output"))
    return parser


def _data_options(data):
    data.add_argument(
        "--data-dir",
        type=Path,
        help="folder with the four MNIST IDX files (default: $SKNUMPYNET_MNIST_DIR, "
        "else download from OpenML, else scikit-learn's digits)",
    )
    data.add_argument(
        "--data-home",
        type=Path,
        help="cache folder of the OpenML download (default: ~/scikit_learn_data)",
    )
    data.add_argument(
        "--n-train",
        type=positive(int),
        metavar="N",
        help="train on the first N training images only (default: all)",
    )


def _network_options(net, defaults):
    """Add the options of the network's shape and of its steps."""
    net.add_argument(
        "--hidden",
        type=positive(int),
        nargs="+",
        default=list(defaults["hidden_layer_sizes"]),
        metavar="UNITS",
        help="hidden layer sizes (default: %(default)s)",
    )
    for flag, choices, what in [
        (
            "--activation",
            ["tanh", "relu", "logistic", "identity"],
            "activation of the hidden layers",
        ),
        ("--solver", ["sgd", "adam", "lbfgs"], "optimizer"),
        (
            "--learning-rate",
            ["constant", "invscaling", "adaptive"],
            "step-size schedule of sgd",
        ),
    ]:
        net.add_argument(
            flag,
            default=defaults[flag[2:].replace("-", "_")],
            choices=choices,
            help=f"{what} (default: %(default)s)",
        )
    net.add_argument(
        "--alpha",
        type=positive(float),
        help=f"learning rate (default: {defaults['alpha']}, or {ADAM_ALPHA} with "
        "--solver adam)",
    )
    for flag, kind, what in [
        ("--l2", non_negative, "L2 penalty on the weights"),
        ("--power-t", non_negative, "exponent of the invscaling schedule"),
        ("--epochs", positive(int), "passes over the data"),
        ("--batch-size", positive(int), "minibatch size"),
        ("--momentum", fraction, "momentum of sgd, Nesterov's"),
        (
            "--dropout",
            fraction,
            "share of the hidden units dropped in each minibatch of sgd and adam",
        ),
    ]:
        net.add_argument(
            flag,
            type=kind,
            default=defaults[flag[2:].replace("-", "_")],
            help=f"{what} (default: %(default)s)",
        )
    net.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the weights, the shuffling and dropout (default: %(default)s)",
    )


def _stopping_options(net, defaults):
    """Add the options of when training stops."""
    net.add_argument(
        "--tol",
        type=non_negative,
        help="stop when the loss improves by less than TOL for --n-iter-no-change "
        f"epochs (default: run every epoch, or {defaults['tol']} with "
        "--early-stopping)",
    )
    net.add_argument(
        "--n-iter-no-change",
        type=positive(int),
        default=defaults["n_iter_no_change"],
        metavar="N",
        help="epochs without improvement that stop training (default: %(default)s)",
    )
    net.add_argument(
        "--early-stopping",
        action="store_true",
        help="hold out --validation-fraction of the training images, stop when "
        "their score stops improving and keep the epoch of lowest held-out loss",
    )
    net.add_argument(
        "--validation-fraction",
        type=fraction,
        default=defaults["validation_fraction"],
        metavar="FRACTION",
        help="share held out by --early-stopping (default: %(default)s)",
    )


def _output_options(out):
    out.add_argument(
        "--output-dir",
        type=writable_folder,
        default="sknumpynet_output",
        help="where the model and pictures go (default: ./sknumpynet_output)",
    )
    out.add_argument("--no-plots", action="store_true", help="skip the pictures")
    out.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    out.add_argument(
        "--verbose",
        action="store_true",
        help="the estimator's own messages too (verbose=1), e.g. why it stopped",
    )
