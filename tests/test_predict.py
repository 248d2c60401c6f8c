"""``python -m sknumpynet predict``, run as a user runs it: in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from sknumpynet.datasets import load_digit_images

Image = pytest.importorskip("PIL.Image")

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


def test_model_errors_are_one_line_and_exit_2(photos, cli_model, tmp_path):
    from sklearn.datasets import load_digits

    from sknumpynet import NumpyMLPClassifier

    paths, _, _ = photos
    digits_model = tmp_path / "digits.joblib"
    joblib.dump(
        NumpyMLPClassifier(epochs=2, tol=None).fit(*load_digits(return_X_y=True)),
        digits_model,
    )
    cases = [
        ((tmp_path / "none.joblib", paths[0]), "none.joblib: no such model file"),
        ((tmp_path, paths[0]), f"{tmp_path} is a folder, not a model file"),
        ((paths[0], paths[0]), "is not a saved model"),
        ((digits_model, paths[0]), "trained on 64 pixels per image, not MNIST's"),
        # Written by sknumpynet 0.1.0, whose pickles name the flat layout's
        # modules (sknumpynet._classifier).
        ((OLD_MODEL, paths[0]), "saved by an older version of sknumpynet"),
    ]
    for args, message in cases:
        result = _predict(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sknumpynet predict: error: ")
        assert message in lines[0]


def test_each_image_gets_its_line_and_a_bad_one_stops_nothing(
    photos, cli_model, tmp_path
):
    paths, _, _ = photos
    (tmp_path / "notes.png").write_text("not an image")
    Image.new("L", (100, 80), 240).save(tmp_path / "blank.png")
    asked = [
        paths[0],
        tmp_path / "blank.png",
        paths[1],
        tmp_path / "notes.png",
        tmp_path / "gone.png",
        paths[2],
    ]
    result = _predict(cli_model, *asked)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    read = result.stdout.splitlines()
    assert [line.split(": ")[0] for line in read] == [str(p) for p in paths[:3]]
    errors = result.stderr.splitlines()
    assert len(errors) == 3
    assert all(line.startswith("sknumpynet predict: error: ") for line in errors)
    assert "blank.png is blank" in errors[0]
    assert "notes.png: not an image that Pillow" in errors[1]
    assert "gone.png: no such image file" in errors[2]


def test_a_folder_stands_for_its_images(photos, cli_model, tmp_path):
    paths, _, _ = photos
    folder = tmp_path / "drawings"
    folder.mkdir()
    for path in paths[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "notes.txt").write_text("not an image, and not an image's name")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _predict(cli_model, folder, empty)
    assert result.returncode == 1, result.stderr
    names = sorted(path.name for path in paths[:3])
    read = [line.split(": ")[0] for line in result.stdout.splitlines()]
    assert read == [str(folder / name) for name in names]
    assert result.stderr.splitlines() == [
        f"sknumpynet predict: error: {empty}: a folder without images "
        "(.png, .jpg, .jpeg, .bmp, .gif, .tif, .tiff, .webp)."
    ]


def test_a_huge_image_is_one_line(cli_model, photos, tmp_path):
    from test_images import _png_header_only

    _png_header_only(tmp_path / "huge.png", 15000, 13000)
    result = _predict(cli_model, tmp_path / "huge.png", photos[0][0])
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.splitlines() == [
        f"sknumpynet predict: error: {tmp_path / 'huge.png'} is larger than 120 "
        "megapixels, the largest image this reads: scale it down (a digit needs "
        "far fewer pixels) and try again."
    ]


def test_the_help_promises_no_default_model():
    result = _predict("--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    assert "by default" not in help_text
    assert "the model file that `python -m sknumpynet` saved" in help_text
    assert "Exit status: 0 when every image was read, 1 when some" in help_text
    # An image alone is not taken for the model: the image is missing.
    result = _predict("drawn_3.png")
    assert result.returncode == 2
    assert "the following arguments are required: IMAGE" in result.stderr
