"""Your own digit images: load_digit_images and ``python -m sknumpynet predict``.

The images are real MNIST test digits turned into what a user would
photograph: enlarged several times, dark ink on white paper, off centre on a
larger page, saved as PNG and as JPEG.
"""

import os
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from sknumpynet.datasets import load_digit_images

Image = pytest.importorskip("PIL.Image")


def _photograph(image, rng, path, light_on_dark=False, colour=False):
    """Save a 28x28 MNIST image as a user's photo of a digit on paper."""
    digit = Image.fromarray(
        image.reshape(28, 28) if light_on_dark else 255 - image.reshape(28, 28)
    )
    k = rng.randint(3, 8)
    big = digit.resize((28 * k, 28 * k), Image.Resampling.BILINEAR)
    page = Image.new(
        "L",
        (28 * k + rng.randint(40, 240), 28 * k + rng.randint(40, 240)),
        0 if light_on_dark else 255,
    )
    corner = (
        rng.randint(0, page.size[0] - big.size[0]),
        rng.randint(0, page.size[1] - big.size[1]),
    )
    page.paste(big, corner)
    if colour:  # blue ink on white
        grey = np.asarray(page, dtype=float) / 255
        page = Image.fromarray(
            (np.stack([grey, grey, 0.4 + 0.6 * grey], axis=-1) * 255).astype(np.uint8)
        )
    if path.suffix == ".jpg":
        page.convert("RGB").save(path, quality=85)
    else:
        page.save(path)
    return path


@pytest.fixture(scope="module")
def photos(mnist, tmp_path_factory):
    """200 MNIST test digits photographed, half as PNG and half as JPEG."""
    _, X_test, _, y_test = mnist
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.RandomState(0)
    paths = [
        _photograph(X_test[i], rng, folder / f"digit{i}.{'png' if i % 2 else 'jpg'}")
        for i in range(200)
    ]
    return paths, X_test[:200], y_test[:200]


@pytest.fixture(scope="module")
def cli_model(mnist_dir, tmp_path_factory):
    """The pipeline the command line saves (a shorter run of it)."""
    out = tmp_path_factory.mktemp("model")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sknumpynet",
            "--data-dir",
            str(mnist_dir),
            "--n-train",
            "20000",
            "--epochs",
            "10",
            "--no-plots",
            "--quiet",
            "--output-dir",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / "model.joblib"


def test_photographed_digits_are_classified_as_well_as_mnist_nearly(photos, cli_model):
    paths, X_original, y = photos
    model = joblib.load(cli_model)
    X = load_digit_images(paths)
    assert X.shape == (200, 784) and X.min() >= 0 and X.max() == 255
    on_mnist = model.score(X_original.astype(np.float32), y)
    on_photos = model.score(X.astype(np.float32), y)
    print(f"accuracy: MNIST images {on_mnist:.3f}, photographed {on_photos:.3f}")
    assert on_photos > on_mnist - 0.03
    # Without MNIST's preparation a photo is not a digit the model knows.
    naive = np.stack(
        [np.asarray(Image.open(p).convert("L").resize((28, 28))) for p in paths]
    ).reshape(200, -1)
    assert model.score(255.0 - naive, y) < 0.4


def test_the_frame_is_mnists_box_and_centre(photos):
    paths, _, _ = photos
    for frame in load_digit_images(paths[:20]).reshape(-1, 28, 28):
        rows = np.nonzero(frame.max(axis=1) > 0)[0]
        cols = np.nonzero(frame.max(axis=0) > 0)[0]
        assert max(np.ptp(rows), np.ptp(cols)) + 1 in (20, 21)  # resampling's fringe
        mass = frame / frame.sum()
        centre = [(mass.sum(axis=1 - a) * np.arange(28)).sum() for a in (0, 1)]
        np.testing.assert_allclose(centre, 14.0, atol=0.5)


def test_ink_colour_and_polarity_are_found_in_the_image(mnist, tmp_path):
    _, X_test, _, _ = mnist
    image = X_test[7]
    made = [
        _photograph(image, np.random.RandomState(1), tmp_path / "dark_on_light.png"),
        _photograph(
            image, np.random.RandomState(1), tmp_path / "chalk.png", light_on_dark=True
        ),
        _photograph(
            image, np.random.RandomState(1), tmp_path / "blue.png", colour=True
        ),
    ]
    frames = load_digit_images(made)
    np.testing.assert_allclose(frames[1], frames[0], atol=3)
    np.testing.assert_allclose(frames[2], frames[0], atol=8)
    assert np.corrcoef(frames[0], image)[0, 1] > 0.8  # measured 0.87


def test_bad_images_say_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png: no such image file"):
        load_digit_images([tmp_path / "missing.png"])
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(
        ValueError, match="notes.png: not an image that Pillow can read"
    ):
        load_digit_images([tmp_path / "notes.png"])
    Image.new("L", (100, 80), 240).save(tmp_path / "blank.png")
    with pytest.raises(ValueError, match="blank.png is blank"):
        load_digit_images(str(tmp_path / "blank.png"))


def test_without_pillow_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'sknumpynet\[plot\]'"):
        load_digit_images([tmp_path / "any.png"])


OLD_MODEL = Path(__file__).parent / "data" / "model-0.1.0.joblib"


def _predict(*args):
    return subprocess.run(
        [sys.executable, "-m", "sknumpynet", "predict", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )


def test_predict_prints_a_line_per_image(photos, cli_model):
    paths, _, y = photos
    result = _predict(cli_model, *paths[:5])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    model = joblib.load(cli_model)
    proba = model.predict_proba(load_digit_images(paths[:5]).astype(np.float32))
    for line, path, p in zip(lines, paths, proba):
        best, second = np.argsort(p)[::-1][:2]
        assert (
            line == f"{path}: {best} ({p[best]:.1%}), then {second} ({p[second]:.1%})"
        )


def test_predict_errors_are_one_line(photos, cli_model, tmp_path):
    from sklearn.datasets import load_digits

    from sknumpynet import NumpyMLPClassifier

    paths, _, _ = photos
    digits_model = tmp_path / "digits.joblib"
    joblib.dump(
        NumpyMLPClassifier(epochs=2, tol=None).fit(*load_digits(return_X_y=True)),
        digits_model,
    )
    (tmp_path / "notes.png").write_text("not an image")
    cases = [
        ((tmp_path / "none.joblib", paths[0]), "none.joblib: no such model file"),
        ((paths[0], paths[0]), "is not a saved model"),
        ((digits_model, paths[0]), "trained on 64 pixels per image, not MNIST's"),
        # Written by sknumpynet 0.1.0, whose pickles name the flat layout's
        # modules (sknumpynet._classifier).
        ((OLD_MODEL, paths[0]), "saved by an older version of sknumpynet"),
        ((cli_model, tmp_path / "notes.png"), "notes.png: not an image that Pillow"),
        ((cli_model, tmp_path / "gone.png"), "gone.png: no such image file"),
    ]
    for args, message in cases:
        result = _predict(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sknumpynet predict: error: ")
        assert message in lines[0]


def test_an_mnist_image_is_given_back_as_it_was(mnist):
    # MNIST's own digits already are what load_digit_images makes: a PNG of
    # one comes back within about a grey level per pixel.
    from sknumpynet.datasets._images import ink_on_black, mnist_frame

    _, X_test, _, _ = mnist
    frames = np.stack(
        [
            mnist_frame(ink_on_black(x.reshape(28, 28) / 255.0), Image).ravel()
            for x in X_test[:300]
        ]
    )
    assert np.abs(frames * 255 - X_test[:300]).mean() < 1.5  # measured 0.77
