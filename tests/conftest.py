import os
import subprocess
import sys

# scikit-learn's array API support needs scipy's, which reads this variable
# when scipy is first imported: set it before anything imports scipy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.preprocessing import MinMaxScaler

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_report_header(config):
    """Name the BLAS kernel: results and warnings must not depend on it."""
    from threadpoolctl import threadpool_info

    blas = [
        f"{info['internal_api']} {info.get('architecture')} "
        f"({info['num_threads']} threads, {Path(info['filepath']).name})"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]
    env = ", ".join(
        f"{name}={os.environ.get(name, '(unset)')}"
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    )
    return f"BLAS: {'; '.join(blas) or 'none found'}; {env}"


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's digits, scaled to [0, 1]: small, real, 10 classes."""
    X, y = load_digits(return_X_y=True)
    return MinMaxScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of the four real MNIST IDX files (SKNUMPYNET_MNIST_DIR)."""
    default = REPO_ROOT.parent / "shared" / "data" / "mnist"
    path = Path(os.environ.get("SKNUMPYNET_MNIST_DIR", default))
    if not (path / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real MNIST files not found in {path}; set SKNUMPYNET_MNIST_DIR")
    return path


@pytest.fixture(scope="session")
def mnist(mnist_dir):
    from sknumpynet import load_mnist_idx

    return load_mnist_idx(mnist_dir)


@pytest.fixture
def blobs():
    """A small, well separated 3-class problem."""
    rng = np.random.RandomState(0)
    centers = np.array([[0, 0], [3, 3], [0, 4]])
    y = rng.randint(0, 3, 150)
    X = centers[y] + rng.normal(scale=0.5, size=(150, 2))
    return X, y


@pytest.fixture(scope="session")
def photos(mnist, tmp_path_factory):
    """200 MNIST test digits photographed, half as PNG and half as JPEG."""
    pytest.importorskip("PIL.Image")
    from digit_photos import photograph

    _, X_test, _, y_test = mnist
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.RandomState(0)
    paths = [
        photograph(X_test[i], rng, folder / f"digit{i}.{'png' if i % 2 else 'jpg'}")
        for i in range(200)
    ]
    return paths, X_test[:200], y_test[:200]


@pytest.fixture(scope="session")
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
