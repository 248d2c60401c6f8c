"""Save a fitted pipeline with joblib, load it back and predict with it."""

import tempfile
from pathlib import Path

import joblib
import numpy as np
from _data import arguments, load
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier


def main(quick=False, data_dir=None, output_dir=None):
    X_train, X_test, y_train, y_test, name = load(
        n_train=3000 if quick else None, data_dir=data_dir
    )
    clf = make_pipeline(
        MinMaxScaler(),
        NumpyMLPClassifier(epochs=3 if quick else 20, tol=None, random_state=0),
    ).fit(X_train, y_train)
    path = Path(output_dir or tempfile.mkdtemp()) / "mnist_mlp.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    same = np.array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    print(
        f"saved to {path} ({path.stat().st_size / 1024:.0f} KiB); the loaded model "
        f"predicts the first test images as {loaded.predict(X_test[:8])} "
        f"(true: {y_test[:8]}); identical probabilities: {same}"
    )
    return same


if __name__ == "__main__":
    main(**arguments(__doc__.splitlines()[0]))
