"""``python -m sknumpynet``: train and evaluate the network on MNIST."""

import os
import sys
import time
import warnings

import joblib
import numpy as np
from sklearn.metrics import accuracy_score, classification_report
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from .._estimators.callbacks import EpochProgress
from .._estimators.classifier import NumpyMLPClassifier
from .._training.stopping import TrainingDiverged
from ..datasets import load_mnist_or_digits, mnist_dir_from_env
from .arguments import ADAM_ALPHA, SAME_AS_PARAMETERS, training_parser


def main(argv):
    """Train and evaluate; return the exit status.

    Errors are one line on stderr: 2 for bad options or data, 1 when training
    diverges, 130 when interrupted (Ctrl-C) before anything was learned.
    """
    from .. import __version__

    parser = training_parser(__version__)
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
    return NumpyMLPClassifier(
        hidden_layer_sizes=tuple(args.hidden),
        alpha=alpha,
        tol=tol,
        verbose=int(args.verbose),
        **{name: getattr(args, name) for name in SAME_AS_PARAMETERS},
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
        from .pictures import (
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
