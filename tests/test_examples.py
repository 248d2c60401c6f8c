"""Every example runs (in its quick form) and does what it says."""

import os
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(autouse=True)
def _examples_on_path(monkeypatch, mnist_dir):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setenv("SKNUMPYNET_MNIST_DIR", str(mnist_dir))
    yield
    sys.modules.pop("_data", None)


def _main(name):
    return runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="example")["main"]


def test_mnist_neural_network(capsys):
    accuracies = _main("mnist_neural_network")(quick=True)
    assert list(accuracies) == ["original training", "default"]
    assert min(accuracies.values()) > 0.85
    out = capsys.readouterr().out
    assert "MNIST, original training: test accuracy" in out
    assert "MNIST, default: test accuracy" in out


def test_grid_search_alpha_epochs(tmp_path):
    search = _main("grid_search_alpha_epochs")(quick=True, output_dir=tmp_path)
    assert len(search.cv_results_["params"]) == 6
    assert (tmp_path / "grid_search.png").stat().st_size > 0


def test_cross_validation():
    scores = _main("cross_validation")(quick=True)
    assert scores.shape == (5,) and scores.mean() > 0.8


def test_persistence(tmp_path):
    assert _main("persistence")(quick=True, output_dir=tmp_path)
    assert (tmp_path / "mnist_mlp.joblib").exists()


def test_out_of_core_memory_stays_flat_as_the_file_grows(tmp_path):
    main = _main("out_of_core")
    runs = [main(quick=True, copies=c, output_dir=tmp_path) for c in (2, 8)]
    (small, _, added_small, size_small), (clf, accuracy, added, size) = runs
    assert size > 3.9 * size_small  # 36 and 144 MiB of float32 pixels
    assert clf.n_iter_ == 10 and small.n_iter_ == 3  # chunks of 5000 rows
    assert accuracy > 0.85
    # A few chunks (15 MiB each) in memory at a time, however large the file.
    assert added < added_small + 10
    assert added < size / 2
    assert not (tmp_path / "train.npy").exists()  # the example cleans up


def test_distributed_grid_search():
    pytest.importorskip("dask.distributed")
    serial, distributed, _, _ = _main("distributed_grid_search")(quick=True)
    np.testing.assert_allclose(
        serial.cv_results_["mean_test_score"],
        distributed.cv_results_["mean_test_score"],
    )


def test_regression(tmp_path):
    model, r2 = _main("regression")(quick=True, output_dir=tmp_path)
    assert r2 > 0.9
    assert model[-1].n_iter_ < 500  # early stopping ended it
    assert (tmp_path / "regression.png").stat().st_size > 10_000


def test_an_example_from_the_command_line(mnist_dir, tmp_path):
    import subprocess

    result = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "grid_search_alpha_epochs.py"),
            "--quick",
            "--data-dir",
            str(mnist_dir),
            "--output-dir",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "SKNUMPYNET_MNIST_DIR"},
    )
    assert result.returncode == 0, result.stderr
    assert f"Loading MNIST from the IDX files in {mnist_dir}" in result.stdout
    assert "MNIST: best" in result.stdout
    assert (tmp_path / "out" / "grid_search.png").stat().st_size > 0
