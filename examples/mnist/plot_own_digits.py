"""
Predicting your own handwritten digits
======================================

A model trained on MNIST knows digits made the way MNIST's were made: white
ink on black, the digit's bounding box scaled to fit 20x20 pixels, centred
by mass in a 28x28 frame. A photo of a digit written on paper is none of
that: dark ink on white, any size, anywhere on the page. Here MNIST test
digits are turned into such photos (enlarged, dark on white, off centre,
saved as PNG and JPEG), and ``sknumpynet.datasets.load_digit_images`` makes
them MNIST's way again. The picture shows each photo, the 28x28 input the
model sees, and its answer; the output compares the accuracy on the photos
with the accuracy on the original images, and with a naive resize to 28x28.
The same works from the command line:
``python -m sknumpynet predict sknumpynet_output/model.joblib photo.png``.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier
from sknumpynet.datasets import load_digit_images
from sknumpynet.example_tools import arguments, load, save


def photograph(image, rng, path):
    """Save a 28x28 MNIST image as a photo of a dark digit on white paper."""
    digit = Image.fromarray(255 - image.reshape(28, 28).astype(np.uint8))
    k = rng.randint(3, 8)
    big = digit.resize((28 * k, 28 * k), Image.Resampling.BILINEAR)
    page = Image.new(
        "L", (28 * k + rng.randint(40, 240), 28 * k + rng.randint(40, 240)), 255
    )
    page.paste(
        big,
        (
            rng.randint(0, page.size[0] - big.size[0]),
            rng.randint(0, page.size[1] - big.size[1]),
        ),
    )
    if path.suffix == ".jpg":
        page.convert("RGB").save(path, quality=85)
    else:
        page.save(path)
    return path


def main(quick=False, data_dir=None, output_dir=None):
    X_train, X_test, y_train, y_test, name = load(
        n_train=10000 if quick else None, data_dir=data_dir
    )
    fig, axes = plt.subplots(2, 6, figsize=(10, 4))
    if name != "MNIST":
        print(f"This example needs MNIST's 28x28 images; {name} has 8x8 ones.")
        axes[0, 0].text(0, 0.5, "needs MNIST")
        save(fig, output_dir, "own_digits.png")
        return None
    model = make_pipeline(
        MinMaxScaler(),
        NumpyMLPClassifier(epochs=10 if quick else 100, tol=None, random_state=0),
    ).fit(X_train, y_train)

    n = 200
    folder = Path(output_dir or tempfile.mkdtemp()) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    paths = [
        photograph(X_test[i], rng, folder / f"digit{i}.{'png' if i % 2 else 'jpg'}")
        for i in range(n)
    ]
    X_photos = load_digit_images(paths)
    naive = np.stack(
        [255 - np.asarray(Image.open(p).convert("L").resize((28, 28))) for p in paths]
    ).reshape(n, -1)
    accuracy = {
        "original images": model.score(X_test[:n], y_test[:n]),
        "photos, load_digit_images": model.score(
            X_photos.astype(np.float32), y_test[:n]
        ),
        "photos, naive resize": model.score(naive.astype(np.float32), y_test[:n]),
    }
    for what, value in accuracy.items():
        print(f"{what}: accuracy {value:.1%} on {n} MNIST test digits")

    proba = model.predict_proba(X_photos[:6].astype(np.float32))
    for j in range(6):
        axes[0, j].imshow(
            Image.open(paths[j]).convert("L"), cmap="gray", vmin=0, vmax=255
        )
        axes[0, j].set_title(paths[j].name, fontsize=8)
        axes[1, j].imshow(X_photos[j].reshape(28, 28), cmap="gray")
        best = int(np.argmax(proba[j]))
        axes[1, j].set_title(f"model: {best} ({proba[j, best]:.0%})", fontsize=9)
    for ax in axes.ravel():
        ax.set_axis_off()
    fig.suptitle("A photo of a digit (top) and the 28x28 input the model sees (bottom)")
    fig.tight_layout()
    save(fig, output_dir, "own_digits.png")
    return accuracy


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
