"""Shared by the examples: MNIST (or digits when MNIST cannot be reached)."""

import numpy as np

from sknumpynet.__main__ import load_data


def load(n_train=None, n_test=None):
    """Return float32 X_train, X_test, y_train, y_test and the data set's name."""
    X_train, X_test, y_train, y_test, name = load_data()
    return (
        X_train[:n_train].astype(np.float32),
        X_test[:n_test].astype(np.float32),
        y_train[:n_train],
        y_test[:n_test],
        name,
    )
