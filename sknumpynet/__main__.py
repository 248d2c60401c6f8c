"""``python -m sknumpynet``: train and evaluate the network on MNIST."""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
from sklearn.metrics import accuracy_score, classification_report
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from ._arguments import fraction, non_negative, positive, writable_folder
from ._classifier import NumpyMLPClassifier
from ._progress import EpochProgress
from ._stopping import TrainingDiverged
from .datasets import load_mnist_or_digits, mnist_dir_from_env

# Adam's usual step is far smaller than plain SGD's.
ADAM_ALPHA = 0.001


def _parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="sknumpynet",
        description="Train a NumPy multilayer perceptron on MNIST and evaluate it.",
        epilog="To ask a saved model about your own digit images: "
        "sknumpynet predict MODEL IMAGE [IMAGE ...]",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
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
        type=positive(int),
        metavar="N",
        help="train on the first N training images only (default: all)",
    )
    # The network's defaults are the estimator's own: one source of truth.
    defaults = NumpyMLPClassifier().get_params()
    net = parser.add_argument_group("network (defaults: those of NumpyMLPClassifier)")
    net.add_argument(
        "--hidden",
        type=positive(int),
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
        type=positive(float),
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
        ("--l2", "l2", non_negative, "L2 penalty on the weights"),
        ("--power-t", "power_t", non_negative, "exponent of the invscaling schedule"),
        ("--epochs", "epochs", positive(int), "passes over the data"),
        ("--batch-size", "batch_size", positive(int), "minibatch size"),
    ]:
        net.add_argument(
            flag,
            type=kind,
            default=defaults[param],
            help=f"{what} (default: %(default)s)",
        )
    net.add_argument(
        "--momentum",
        type=fraction,
        default=defaults["momentum"],
        help="momentum of sgd, Nesterov's (default: %(default)s)",
    )
    net.add_argument(
        "--dropout",
        type=fraction,
        default=defaults["dropout"],
        help="share of the hidden units dropped in each minibatch of sgd and adam "
        "(default: %(default)s)",
    )
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
    net.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the weights, the shuffling and dropout (default: %(default)s)",
    )
    out = parser.add_argument_group("output")
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
    return parser


def main(argv=None):
    """Run the command line; return the exit status.

    Errors are one line on stderr: 2 for bad options or data, 1 when training
    diverges, 130 when interrupted (Ctrl-C) before anything was learned.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["predict"]:
        from ._predict_command import main as predict

        return predict(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _train_and_evaluate(parser, args)
    except KeyboardInterrupt:
        print("sknumpynet: interrupted; nothing was saved.", file=sys.stderr)
        return 130
    except TrainingDiverged as exc:
        print(f"sknumpynet: error: {exc} Nothing was saved.", file=sys.stderr)
        return 1


def _load(args):
    """Load the data set, or exit with a one-line usage error naming the folder."""
    try:
        return load_mnist_or_digits(args.data_dir, args.data_home)
    except (OSError, ValueError) as exc:
        where = (
            "argument --data-dir"
            if args.data_dir
            else f"SKNUMPYNET_MNIST_DIR={mnist_dir_from_env()}"
        )
        # One line: the options were right, the folder is not.
        print(f"sknumpynet: error: {where}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _estimator(args):
    alpha = args.alpha
    if alpha is None:
        alpha = ADAM_ALPHA if args.solver == "adam" else NumpyMLPClassifier().alpha
    tol = args.tol
    if tol is None and args.early_stopping:
        tol = NumpyMLPClassifier().tol
    # The options named as the estimator's parameters pass on as they are.
    same = (
        *("activation", "solver", "learning_rate", "power_t", "l2", "epochs"),
        *("batch_size", "momentum", "dropout", "n_iter_no_change"),
        *("early_stopping", "validation_fraction", "random_state"),
    )
    return NumpyMLPClassifier(
        hidden_layer_sizes=tuple(args.hidden),
        alpha=alpha,
        tol=tol,
        verbose=int(args.verbose),
        **{name: getattr(args, name) for name in same},
    )


def _header(clf, n_train, n_test, name):
    """Describe what trains: only the settings the chosen solver uses."""
    layers = "-".join(str(n) for n in [n_train[1], *clf.hidden_layer_sizes, 10])
    rounds = "iteration" if clf.solver == "lbfgs" else "epoch"
    rounds = f"{clf.epochs} {rounds}{'s' if clf.epochs != 1 else ''}"
    settings = [f"{'at most ' if clf.tol is not None else ''}{rounds}"]
    if clf.solver != "lbfgs":
        step = f"alpha={clf.alpha}"
        if clf.solver == "sgd":
            step += f" ({clf.learning_rate}"
            if clf.learning_rate == "invscaling":
                step += f", power_t={clf.power_t}"
            step += ")"
            if clf.momentum:
                step += f", momentum={clf.momentum}"
        settings.append(step)
    settings.append(f"l2={clf.l2}")
    if clf.solver != "lbfgs":
        settings.append(f"batch size {clf.batch_size}")
        if clf.dropout:
            settings.append(f"dropout={clf.dropout}")
    if clf.early_stopping:
        settings.append(f"early stopping on {clf.validation_fraction:g} held out")
    settings.append(f"solver {clf.solver}")
    return (
        f"\nTraining a {layers} {clf.activation} network on {name}: "
        f"{n_train[0]} training and {n_test} test images, {', '.join(settings)}"
    )


def _fit(clf, X, y):
    """Fit; return whether Ctrl-C ended it early. Warnings become one-line notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)
    interrupted = False
    for warning in caught:
        message = str(warning.message)
        if message.startswith("Training interrupted by the user"):
            interrupted = True
        else:
            print(f"note: {message}")
    return interrupted


def _train_and_evaluate(parser, args):
    X_train, X_test, y_train, y_test, name = _load(args)
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

    clf = _estimator(args)
    progress = EpochProgress(X_test_s, y_test)
    if hasattr(clf, "set_callbacks") and not args.quiet:
        clf.set_callbacks(progress)
    print(_header(clf, X_train.shape, X_test.shape[0], name))
    start = time.perf_counter()
    interrupted = _fit(clf, X_train_s, y_train)
    fit_time = time.perf_counter() - start
    if hasattr(clf, "set_callbacks"):
        # Unhook the progress callback: it holds the test set, which must not
        # be pickled into model.joblib.
        clf.set_callbacks()
    if interrupted:
        unit = "iteration" if clf.solver == "lbfgs" else "epoch"
        if clf.n_iter_ == 0:
            print(
                f"sknumpynet: interrupted in the first {unit}, before anything was "
                "learned; nothing was saved.",
                file=sys.stderr,
            )
            return 130
        print(
            f"Interrupted in {unit} {clf.n_iter_ + 1}: evaluating and saving the "
            f"network of the {clf.n_iter_} {unit}(s) completed."
        )

    y_pred = clf.predict(X_test_s)
    accuracy = accuracy_score(y_test, y_pred)
    print(f"\nTest accuracy on {name}: {accuracy:.2%} (fit took {fit_time:.1f}s)\n")
    # zero_division=0: a class never predicted (a tiny --n-train) has precision 0.
    print(classification_report(y_test, y_pred, digits=4, zero_division=0))

    model_path = args.output_dir / "model.joblib"
    _dump(make_pipeline(scaler, clf), model_path)
    print(f"Saved the fitted pipeline (MinMaxScaler + network) to {model_path}")

    if not args.no_plots:
        _save_pictures(clf, progress.scores_, y_test, y_pred, args.output_dir, name)
    return 0


def _dump(model, path):
    """Write the model to a new file, then move it over ``path``: never half a file."""
    partial = path.with_name(path.name + ".partial")
    try:
        joblib.dump(model, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


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
