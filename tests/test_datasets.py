"""MNIST loaders on the real files, on broken files, and offline."""

import gzip
import shutil
from urllib.error import URLError

import numpy as np
import pytest

from sknumpynet import MNISTUnavailableError, fetch_mnist, load_mnist_idx
from sknumpynet.datasets import read_idx


def test_load_real_mnist_idx(mnist):
    X_train, X_test, y_train, y_test = mnist
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.uint8
    # The counts and first labels published with the files (shared/data/mnist).
    np.testing.assert_array_equal(
        np.bincount(y_train),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    )
    np.testing.assert_array_equal(
        np.bincount(y_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    )
    np.testing.assert_array_equal(y_train[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    assert round(float(X_train.mean()), 4) == 33.3184


def _copy_uncompressed(mnist_dir, tmp_path):
    for path in mnist_dir.glob("*.gz"):
        with gzip.open(path) as src, open(tmp_path / path.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return tmp_path


def test_load_uncompressed_files(mnist_dir, mnist, tmp_path):
    directory = _copy_uncompressed(mnist_dir, tmp_path)
    for a, b in zip(load_mnist_idx(directory), mnist):
        np.testing.assert_array_equal(a, b)


def test_truncated_file_is_reported(mnist_dir, tmp_path):
    directory = _copy_uncompressed(mnist_dir, tmp_path)
    path = directory / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="truncated or corrupt.*Download it again"):
        load_mnist_idx(directory)


def _write_idx(path, array):
    """Write a uint8 array as an IDX file (magic 0x0801 + ndim, then the sizes)."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        n.to_bytes(4, "big") for n in array.shape
    )
    path.write_bytes(header + array.astype(np.uint8).tobytes())
    return path


@pytest.mark.parametrize(
    "magic",
    [b"\x00\x00\x08\x09", b"\x00\x01\x08\x01", b"\x00\x00\x0d\x01"],
    ids=["bad dimension byte", "bad first bytes", "bad type byte"],
)
def test_wrong_magic_number_is_reported(tmp_path, magic):
    # Each magic number is wrong in another byte; the last two have a valid
    # dimension byte and a matching header, so only the full check sees them.
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(magic + (3).to_bytes(4, "big") + b"\x01\x02\x03")
    with pytest.raises(ValueError, match=f"magic number 0x{magic.hex()}"):
        read_idx(path)


def test_empty_header_is_reported(tmp_path):
    path = _write_idx(tmp_path / "labels", np.zeros(0, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"shape \(0,\) in its header: it holds no"):
        read_idx(path)


def _write_mnist_like(directory, side):
    rng = np.random.RandomState(0)
    for part, n in [("train", 6), ("t10k", 4)]:
        _write_idx(
            directory / f"{part}-images-idx3-ubyte",
            rng.randint(0, 256, (n, side, side)),
        )
        _write_idx(directory / f"{part}-labels-idx1-ubyte", rng.randint(0, 10, n))
    return directory


def test_images_that_are_not_28x28_are_refused(tmp_path):
    with pytest.raises(ValueError, match="images are 8x8 pixels; MNIST's are 28x28"):
        load_mnist_idx(_write_mnist_like(tmp_path, 8))


def test_loaded_arrays_are_writable(tmp_path):
    X_train, X_test, y_train, y_test = load_mnist_idx(_write_mnist_like(tmp_path, 28))
    assert X_train.shape == (6, 784) and X_test.shape == (4, 784)
    for array in (X_train, X_test, y_train, y_test):
        assert array.flags.writeable
    X_train //= 2  # in place, as a user scales the images
    assert X_train.max() <= 127


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="No train-images-idx3-ubyte"):
        load_mnist_idx(tmp_path)


def test_fetch_mnist_offline_says_how_to_use_local_files(monkeypatch, tmp_path):
    # Only the download is replaced: fetch_openml's real code runs up to it.
    import sklearn.datasets._openml as openml

    def no_network(*args, **kwargs):
        raise URLError("network is unreachable")

    monkeypatch.delenv("SKNUMPYNET_MNIST_DIR", raising=False)
    monkeypatch.setattr(openml, "_open_openml_url", no_network)
    monkeypatch.setattr(openml.time, "sleep", lambda seconds: None)
    with pytest.raises(MNISTUnavailableError, match="SKNUMPYNET_MNIST_DIR"):
        fetch_mnist(data_home=tmp_path, n_retries=1)


def test_fetch_mnist_reads_the_folder_its_message_names(
    monkeypatch, tmp_path, mnist_dir, mnist
):
    # No network is needed: with the variable set, nothing is downloaded.
    import sklearn.datasets._openml as openml

    def no_network(*args, **kwargs):
        raise AssertionError("fetch_mnist downloaded although the folder is set")

    monkeypatch.setattr(openml, "_open_openml_url", no_network)
    monkeypatch.setenv("SKNUMPYNET_MNIST_DIR", str(mnist_dir))
    for got, expected in zip(fetch_mnist(data_home=tmp_path), mnist):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
def test_fetch_mnist_names_a_bad_folder_in_the_variable(monkeypatch, tmp_path, kind):
    folder = tmp_path / "mnist"
    reason = {"missing": "does not exist", "file": "is a file, not a folder"}
    if kind == "file":
        folder.write_text("not a folder")
    elif kind == "empty":
        folder.mkdir()
        reason["empty"] = "No train-images-idx3-ubyte"
    monkeypatch.setenv("SKNUMPYNET_MNIST_DIR", str(folder))
    with pytest.raises(MNISTUnavailableError) as info:
        fetch_mnist(data_home=tmp_path)
    message = str(info.value)
    assert message.startswith(f"SKNUMPYNET_MNIST_DIR={folder}: ")
    assert reason[kind] in message


def test_a_file_given_as_the_folder_is_called_a_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        load_mnist_idx(path)
