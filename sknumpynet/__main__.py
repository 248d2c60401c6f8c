"""``python -m sknumpynet``: train and evaluate the network on MNIST."""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.metrics import accuracy_score, classification_report
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from ._classifier import NumpyMLPClassifier
from ._progress import EpochProgress
from .datasets import load_mnist_or_digits


def _positive(kind):
    """Return an argparse type: a number of ``kind`` above zero."""

    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _non_negative(text):
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _writable_folder(text):
    """Return the folder, made if need be, or fail when it cannot be written."""
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot write to {path}: {exc}") from exc
    return path


# Adam's usual step is far smaller than plain SGD's.
ADAM_ALPHA = 0.001


def _parser():
    parser = argparse.ArgumentParser(
        prog="sknumpynet",
        description="Train a NumPy multilayer perceptron on MNIST and evaluate it.",
    )
    data = parser.add_argument_group("data")
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
        type=_positive(int),
        metavar="N",
        help="train on the first N training images only (default: all)",
    )
    # The network's defaults are the estimator's own: one source of truth.
    defaults = NumpyMLPClassifier().get_params()
    net = parser.add_argument_group("network (defaults: those of NumpyMLPClassifier)")
    net.add_argument(
        "--hidden",
        type=_positive(int),
        nargs="+",
        default=list(defaults["hidden_layer_sizes"]),
        metavar="UNITS",
        help="hidden layer sizes (default: %(default)s)",
    )
    net.add_argument(
        "--activation",
        default=defaults["activation"],
        choices=["tanh", "relu", "logistic", "identity"],
        help="activation of the hidden layers (default: %(default)s)",
    )
    net.add_argument(
        "--solver",
        default=defaults["solver"],
        choices=["sgd", "adam", "lbfgs"],
        help="optimizer (default: %(default)s)",
    )
    net.add_argument(
        "--alpha",
        type=_positive(float),
        help=f"learning rate (default: {defaults['alpha']}, or {ADAM_ALPHA} with "
        "--solver adam)",
    )
    net.add_argument(
        "--learning-rate",
        default=defaults["learning_rate"],
        choices=["constant", "invscaling", "adaptive"],
        help="step-size schedule of sgd (default: %(default)s)",
    )
    for flag, param, kind, what in [
        ("--l2", "l2", _non_negative, "L2 penalty on the weights"),
        ("--power-t", "power_t", _non_negative, "exponent of the invscaling schedule"),
        ("--epochs", "epochs", _positive(int), "passes over the data"),
        ("--batch-size", "batch_size", _positive(int), "minibatch size"),
    ]:
        net.add_argument(
            flag,
            type=kind,
            default=defaults[param],
            help=f"{what} (default: %(default)s)",
        )
    net.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the weights, the shuffling and dropout (default: %(default)s)",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--output-dir",
        type=_writable_folder,
        default="sknumpynet_output",
        help="where the model and pictures go (default: ./sknumpynet_output)",
    )
    out.add_argument("--no-plots", action="store_true", help="skip the pictures")
    out.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.alpha is None:
        args.alpha = ADAM_ALPHA if args.solver == "adam" else NumpyMLPClassifier().alpha
    X_train, X_test, y_train, y_test, name = load_mnist_or_digits(
        args.data_dir, args.data_home
    )
    if args.n_train:
        if args.n_train > X_train.shape[0]:
            parser.error(
                f"argument --n-train: {name} has {X_train.shape[0]} training "
                f"images, fewer than {args.n_train}"
            )
        X_train, y_train = X_train[: args.n_train], y_train[: args.n_train]
    # float32 is where the speed is: the network then trains in float32.
    scaler = MinMaxScaler().fit(X_train.astype(np.float32))
    X_train_s = scaler.transform(X_train.astype(np.float32))
    X_test_s = scaler.transform(X_test.astype(np.float32))

    clf = NumpyMLPClassifier(
        hidden_layer_sizes=tuple(args.hidden),
        activation=args.activation,
        solver=args.solver,
        alpha=args.alpha,
        learning_rate=args.learning_rate,
        power_t=args.power_t,
        l2=args.l2,
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=args.random_state,
        tol=None,
    )
    progress = EpochProgress(X_test_s, y_test)
    if hasattr(clf, "set_callbacks") and not args.quiet:
        clf.set_callbacks(progress)
    layers = "-".join(str(n) for n in [X_train.shape[1], *args.hidden, 10])
    schedule = ""
    if args.solver == "sgd":
        schedule = f" ({args.learning_rate}"
        schedule += (
            f", power_t={args.power_t})" if args.learning_rate == "invscaling" else ")"
        )
    print(
        f"\nTraining a {layers} {args.activation} network on {name}: "
        f"{X_train.shape[0]} training and {X_test.shape[0]} test images, "
        f"{args.epochs} epochs, alpha={args.alpha}{schedule}, l2={args.l2}, "
        f"batch size {args.batch_size}, solver {args.solver}"
    )
    start = time.perf_counter()
    clf.fit(X_train_s, y_train)
    fit_time = time.perf_counter() - start
    if hasattr(clf, "set_callbacks"):
        # Unhook the progress callback: it holds the test set, which must not
        # be pickled into model.joblib.
        clf.set_callbacks()

    y_pred = clf.predict(X_test_s)
    accuracy = accuracy_score(y_test, y_pred)
    print(f"\nTest accuracy on {name}: {accuracy:.2%} (fit took {fit_time:.1f}s)\n")
    print(classification_report(y_test, y_pred, digits=4))

    model_path = args.output_dir / "model.joblib"
    joblib.dump(make_pipeline(scaler, clf), model_path)
    print(f"Saved the fitted pipeline (MinMaxScaler + network) to {model_path}")

    if not args.no_plots:
        _save_pictures(clf, progress.scores_, y_test, y_pred, args.output_dir, name)
    return 0


def _save_pictures(clf, scores, y_test, y_pred, output_dir, dataset):
    try:
        from ._plotting import (
            plot_confusion_matrix,
            plot_first_layer,
            plot_training_curves,
        )

        plot_training_curves(clf, scores, output_dir / "training_curves.png", dataset)
    except ImportError:
        print(
            "matplotlib is not installed: pictures skipped "
            "(pip install 'sknumpynet[plot]' to get them)."
        )
        return
    plot_confusion_matrix(y_test, y_pred, output_dir / "confusion_matrix.png", dataset)
    plot_first_layer(clf, output_dir / "first_layer_weights.png", dataset=dataset)
    print(
        f"Saved pictures to {output_dir}: training_curves.png, "
        "confusion_matrix.png, first_layer_weights.png"
    )


if __name__ == "__main__":
    sys.exit(main())
