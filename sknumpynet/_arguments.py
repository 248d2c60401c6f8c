"""Types of the command line's options: each says what was wrong with a value."""

import argparse
import tempfile
from pathlib import Path


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
