"""
Saving and loading a model
==========================

Save a fitted pipeline with joblib, load it back and predict with it: the
picture shows test images with the loaded model's predictions.
"""

import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier
from sknumpynet.example_tools import arguments, load, save


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
    predicted = loaded.predict(X_test[:8])
    print(
        f"saved to {path} ({path.stat().st_size / 1024:.0f} KiB); the loaded model "
        f"predicts the first test images as {predicted} "
        f"(true: {y_test[:8]}); identical probabilities: {same}"
    )
    side = int(np.sqrt(X_test.shape[1]))  # 28 for MNIST, 8 for digits
    fig, axes = plt.subplots(1, 8, figsize=(10, 1.8))
    for ax, image, label, truth in zip(axes, X_test, predicted, y_test):
        ax.imshow(image.reshape(side, side), cmap="gray_r")
        ax.set_title(f"{label}" + ("" if label == truth else f" (is {truth})"))
        ax.axis("off")
    fig.suptitle(f"Predictions of the model loaded from {path.name} ({name})")
    fig.tight_layout()
    save(fig, output_dir, "persistence.png")
    return same


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
