"""``python -m sknumpynet predict MODEL IMAGE ...``: ask a model about your digits.

Each image is made the way MNIST's digits were made
(:func:`sknumpynet.datasets.load_digit_images`) and given to the pipeline
that ``python -m sknumpynet`` saved; one line per image says the predicted
digit, its probability and the runner-up, or, on standard error, why that
image could not be read. A folder stands for the images in it.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

# Exit statuses: every image read; some could not be (each said why); nothing
# could run (the model, or the arguments).
OK, SOME_FAILED, USAGE = 0, 1, 2


def _parser():
    parser = argparse.ArgumentParser(
        prog="sknumpynet predict",
        description="Predict the digit in each image with a model that "
        "`python -m sknumpynet` saved. Load only model files you trust: "
        "joblib files run code when loaded.",
        epilog="Exit status: 0 when every image was read, 1 when some could "
        "not be (each gets its line on stderr), 2 when the model or the "
        "arguments are wrong.",
    )
    parser.add_argument(
        "model",
        type=Path,
        help="the model file that `python -m sknumpynet` saved (it writes "
        "sknumpynet_output/model.joblib)",
    )
    parser.add_argument(
        "images",
        type=Path,
        nargs="+",
        metavar="IMAGE",
        help="image files, one handwritten digit each (PNG, JPEG, ...): dark "
        "ink on light paper or light on dark, any size, anywhere on the page; "
        "a folder stands for the images in it",
    )
    return parser


def _error(message):
    print(f"sknumpynet predict: error: {message}", file=sys.stderr, flush=True)


def _load_model(path):
    """Return the model saved at ``path``; raise ValueError saying what is wrong."""
    import joblib

    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a model file.")
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


def image_paths(paths):
    """Yield each image path, a folder's images (by name) in its place.

    A folder without images yields a ValueError in its place.
    """
    from ..datasets._images import IMAGE_SUFFIXES

    for path in paths:
        if not path.is_dir():
            yield path
            continue
        images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            yield ValueError(
                f"{path}: a folder without images ({', '.join(IMAGE_SUFFIXES)})."
            )
        yield from images


def main(argv):
    """Run ``predict``; return the exit status."""
    from ..datasets import load_digit_images

    args = _parser().parse_args(argv)
    try:
        model = _load_model(args.model)
    except (ValueError, OSError, ImportError) as exc:
        _error(exc)
        return USAGE
    status = OK
    for path in image_paths(args.images):
        try:
            if isinstance(path, Exception):
                raise path
            X = load_digit_images([path])
        except ImportError as exc:  # no Pillow: no image can be read
            _error(exc)
            return USAGE
        except (ValueError, OSError) as exc:
            _error(exc)
            status = SOME_FAILED
            continue
        p = model.predict_proba(X.astype(np.float32))[0]
        best, second = np.argsort(p)[::-1][:2]
        classes = model.classes_
        print(
            f"{path}: {classes[best]} ({p[best]:.1%}), then {classes[second]} "
            f"({p[second]:.1%})",
            flush=True,
        )
    return status
