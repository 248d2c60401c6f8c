"""``python -m sknumpynet predict MODEL IMAGE ...``: ask a model about your digits.

Each image is made the way MNIST's digits were made
(:func:`sknumpynet.datasets.load_digit_images`) and given to the pipeline
that ``python -m sknumpynet`` saved; one line per image says the predicted
digit, its probability and the runner-up. Errors are one line on stderr and
exit status 2.
"""

import argparse
import sys
from pathlib import Path

import numpy as np


def _parser():
    parser = argparse.ArgumentParser(
        prog="sknumpynet predict",
        description="Predict the digit in each image with a model that "
        "`python -m sknumpynet` saved. Load only model files you trust: "
        "joblib files run code when loaded.",
    )
    parser.add_argument(
        "model",
        type=Path,
        help="the saved model (sknumpynet_output/model.joblib by default)",
    )
    parser.add_argument(
        "images",
        type=Path,
        nargs="+",
        metavar="IMAGE",
        help="image files, one handwritten digit each (PNG, JPEG, ...): dark "
        "ink on light paper or light on dark, any size, anywhere on the page",
    )
    return parser


def _fail(message):
    print(f"sknumpynet predict: error: {message}", file=sys.stderr)
    return 2


def _load_model(path):
    """Return the model saved at ``path``; raise ValueError saying what is wrong."""
    import joblib

    if not path.is_file():
        raise ValueError(f"{path}: no such model file.")
    try:
        model = joblib.load(path)
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("sknumpynet."):
            missing = f"{path} needs {exc.name}, which is not installed."
            raise ValueError(missing) from exc
        # Pickles name the module a class was defined in, and those moved in 0.2.
        raise ValueError(
            f"{path} was saved by an older version of sknumpynet, whose modules "
            "have moved since; models do not carry over between versions (nor "
            "do scikit-learn's). Train it again: python -m sknumpynet."
        ) from exc
    except Exception as exc:  # pickle raises many kinds for a file that is not one
        raise ValueError(f"{path} is not a saved model ({exc}).") from exc
    if not hasattr(model, "predict_proba"):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a classifier.")
    n_features = getattr(model, "n_features_in_", None)
    if n_features is not None and n_features != 784:
        raise ValueError(
            f"{path} was trained on {n_features} pixels per image, not MNIST's "
            "28x28 = 784 (scikit-learn's 8x8 digits, when MNIST could not be "
            "reached?). Train on MNIST: python -m sknumpynet --data-dir DIR."
        )
    return model


def main(argv):
    """Run ``predict``; return the exit status."""
    from ..datasets import load_digit_images

    args = _parser().parse_args(argv)
    try:
        model = _load_model(args.model)
        X = load_digit_images(args.images)
    except (ValueError, OSError, ImportError) as exc:
        return _fail(exc)
    proba = model.predict_proba(X.astype(np.float32))
    classes = model.classes_
    for path, p in zip(args.images, proba):
        best, second = np.argsort(p)[::-1][:2]
        print(
            f"{path}: {classes[best]} ({p[best]:.1%}), then {classes[second]} "
            f"({p[second]:.1%})"
        )
    return 0
