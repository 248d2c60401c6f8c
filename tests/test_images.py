"""Your own digit images: load_digit_images makes them MNIST's way.

The images are real MNIST test digits turned into what a user would
photograph (``digit_photos.py``): enlarged several times, dark ink on white
paper, off centre on a larger page, saved as PNG and as JPEG.
"""

import sys
import warnings

import joblib
import numpy as np
import pytest

from sknumpynet.datasets import load_digit_images

Image = pytest.importorskip("PIL.Image")
from digit_photos import photograph  # noqa: E402 (needs Pillow)


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
        photograph(image, np.random.RandomState(1), tmp_path / "dark_on_light.png"),
        photograph(
            image, np.random.RandomState(1), tmp_path / "chalk.png", light_on_dark=True
        ),
        photograph(image, np.random.RandomState(1), tmp_path / "blue.png", colour=True),
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


def test_no_paths_is_a_clear_error():
    with pytest.raises(ValueError, match="load_digit_images got no image paths"):
        load_digit_images([])


def test_an_mnist_image_is_given_back_as_it_was(mnist, tmp_path):
    # MNIST's own digits already are what load_digit_images makes.
    from sknumpynet.datasets._images import ink_on_black, mnist_frame

    _, X_test, _, _ = mnist
    frames = np.stack(
        [
            mnist_frame(ink_on_black(x.reshape(28, 28) / 255.0), Image).ravel()
            for x in X_test
        ]
    )
    difference = np.abs(np.round(frames * 255) - X_test)
    per_image = difference.mean(axis=1)
    # Measured on the 10,000 test images: 88.8 % exact, 0.02 grey levels per
    # pixel on average, 8 images off by more than half a level (7 shifted
    # by a pixel). Before the strokes' faint edge was kept: 3.9 % exact,
    # 0.81 levels, 3 % shifted.
    assert (difference.max(axis=1) == 0).mean() > 0.88
    assert difference.mean() < 0.05
    assert (per_image > 0.5).sum() <= 10
    # As a user would: PNG files of the first ten and of image 63 (which came
    # back shifted by a pixel before), through load_digit_images.
    chosen = [*range(10), 63]
    paths = []
    for i in chosen:
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray(X_test[i].reshape(28, 28)).save(paths[-1])
    read = load_digit_images(paths)
    assert np.abs(read - X_test[chosen]).max(axis=1).tolist() == [0] * 5 + [1] + [0] * 5


def test_huge_images_are_shrunk_or_refused_in_one_sentence(tmp_path):
    from sknumpynet.datasets._images import MAX_PIXELS

    # 12000 x 9000 (108 megapixels): read, with no warning of Pillow's.
    page = np.full((9000, 12000), 255, dtype=np.uint8)
    page[2000:7000, 5500:6500] = 0  # a thick "1"
    Image.fromarray(page).save(tmp_path / "large.png", compress_level=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = load_digit_images(tmp_path / "large.png").reshape(28, 28)
    assert (frame.max(axis=1) > 0).sum() == 20  # the stroke spans the box
    # Over the limit: the header alone says so; nothing is decoded.
    side = int(np.sqrt(MAX_PIXELS)) + 100
    _png_header_only(tmp_path / "huge.png", side, side)
    with pytest.raises(ValueError, match="larger than 120 megapixels"):
        load_digit_images(tmp_path / "huge.png")
    _png_header_only(tmp_path / "bomb.png", 15000, 13000)  # past Pillow's own limit
    with pytest.raises(ValueError, match="larger than 120 megapixels"):
        load_digit_images(tmp_path / "bomb.png")


def _png_header_only(path, width, height):
    """Write a PNG that declares its size and holds one empty row of data."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * (width + 1))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
    )


def test_ink_that_is_no_digit_is_refused(mnist, photos, tmp_path):
    from sknumpynet.datasets._images import check_digit_like, ink_on_black

    rng = np.random.RandomState(0)
    Image.fromarray((rng.rand(200, 200) * 255).astype(np.uint8)).save(
        tmp_path / "noise.png"
    )
    with pytest.raises(ValueError, match="noise.png holds no digit: its ink is"):
        load_digit_images(tmp_path / "noise.png")
    dot = np.full((120, 90), 255, dtype=np.uint8)
    dot[50:52, 40:42] = 0  # 4 pixels of ink
    Image.fromarray(dot).save(tmp_path / "dot.png")
    with pytest.raises(ValueError, match="dot.png holds too little ink for a digit"):
        load_digit_images(tmp_path / "dot.png")
    # Never a real digit: all 10,000 MNIST test images (the 60,000 training
    # images were checked too) and the 200 photographs.
    _, X_test, _, _ = mnist
    for x in X_test:
        check_digit_like(ink_on_black(x.reshape(28, 28) / 255.0))
    load_digit_images(photos[0])
