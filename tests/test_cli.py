"""The command line, as a user runs it, and the default network on real MNIST."""

import os
import subprocess
import sys
import warnings
from urllib.error import URLError

import joblib
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import sknumpynet.__main__ as cli
from sknumpynet import NumpyMLPClassifier


def _offline(monkeypatch, tmp_path):
    """Make OpenML unreachable: only the download itself is replaced."""
    import sklearn.datasets._openml as openml

    def no_network(*args, **kwargs):
        raise URLError("network is unreachable")

    monkeypatch.delenv("SKNUMPYNET_MNIST_DIR", raising=False)
    monkeypatch.setattr(openml, "_open_openml_url", no_network)
    monkeypatch.setattr(openml.time, "sleep", lambda seconds: None)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "cache"))


def test_cli_falls_back_to_digits_when_mnist_cannot_be_reached(
    monkeypatch, tmp_path, capsys
):
    _offline(monkeypatch, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no retry warnings before our line
        assert cli.main(["--epochs", "5", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    fallback = [line for line in out.splitlines() if "falling back" in line]
    assert len(fallback) == 1
    assert (
        "MNIST cannot be reached (<urlopen error network is unreachable>)"
        in (fallback[0])
    )
    assert "--data-dir" in fallback[0]
    assert "epoch   5/5" in out and "ETA" in out
    assert "Test accuracy on digits" in out
    for name in [
        "model.joblib",
        "training_curves.png",
        "confusion_matrix.png",
        "first_layer_weights.png",
    ]:
        assert (tmp_path / name).stat().st_size > 0
    model = joblib.load(tmp_path / "model.joblib")
    assert model.predict(np.zeros((1, 64))).shape == (1,)


def _run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sknumpynet", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "SKNUMPYNET_MNIST_DIR": "/nonexistent"},
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--epochs", "0"], "argument --epochs: must be above 0, got 0"),
        (["--alpha", "0"], "argument --alpha: must be above 0, got 0"),
        (["--alpha", "-0.1"], "argument --alpha: must be above 0, got -0.1"),
        (["--hidden", "32", "0"], "argument --hidden: must be above 0, got 0"),
        (["--n-train", "-5"], "argument --n-train: must be above 0, got -5"),
        (["--n-train", "0"], "argument --n-train: must be above 0, got 0"),
        (["--l2", "-1"], "argument --l2: must be 0 or more, got -1"),
        (["--output-dir", "/proc/sknumpynet"], "argument --output-dir: cannot write"),
    ],
)
def test_bad_options_fail_before_any_data_is_loaded(args, message):
    # SKNUMPYNET_MNIST_DIR points nowhere: loading data would fail differently.
    result = _run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"sknumpynet: error: {message}" or message in lines[-1]
    assert "Traceback" not in result.stderr


def test_n_train_above_the_available_rows_is_refused(mnist_dir, tmp_path):
    result = _run_cli(
        "--data-dir",
        str(mnist_dir),
        "--n-train",
        "70000",
        "--output-dir",
        str(tmp_path),
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "MNIST has 60000 training images, fewer than 70000" in result.stderr


def test_every_option_has_help():
    parser = cli._parser()
    for action in parser._actions:
        assert action.help, action.option_strings


def test_adam_gets_its_own_default_learning_rate(mnist_dir, tmp_path):
    result = _run_cli(
        *("--data-dir", str(mnist_dir), "--solver", "adam", "--n-train", "3000"),
        *("--epochs", "3", "--no-plots", "--output-dir", str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    assert "alpha=0.001, l2=0.0001, batch size 32, solver adam" in result.stdout
    accuracy = float(result.stdout.split("Test accuracy on MNIST: ")[1].split("%")[0])
    assert accuracy > 75  # measured 79.9 %; with alpha=0.1, 73.9 %


def test_lbfgs_reports_each_iteration(mnist_dir, tmp_path):
    result = _run_cli(
        *("--data-dir", str(mnist_dir), "--solver", "lbfgs", "--n-train", "2000"),
        *("--epochs", "4", "--no-plots", "--output-dir", str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    lines = [x for x in result.stdout.splitlines() if x.startswith("iteration")]
    assert [x.split()[1] for x in lines] == ["1/4", "2/4", "3/4", "4/4"]


def test_cli_on_real_mnist_subset(mnist_dir, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sknumpynet",
            "--data-dir",
            str(mnist_dir),
            "--n-train",
            "5000",
            "--epochs",
            "3",
            "--hidden",
            "32",
            "--output-dir",
            str(tmp_path),
            "--no-plots",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert "Training a 784-32-10 tanh network on MNIST: 5000 training" in result.stdout
    accuracy = float(result.stdout.split("Test accuracy on MNIST: ")[1].split("%")[0])
    assert accuracy > 85
    assert (tmp_path / "model.joblib").exists()


def test_default_network_beats_the_original_922_on_real_mnist(mnist):
    # As the command runs it: 100 epochs (tol=None). Measured 93.91 % for
    # random_state=0; the mean over seeds 0-5 is 93.62 % (README).
    X_train, X_test, y_train, y_test = mnist
    pipe = make_pipeline(MinMaxScaler(), NumpyMLPClassifier(tol=None, random_state=0))
    pipe.fit(X_train.astype(np.float32), y_train)
    accuracy = pipe.score(X_test.astype(np.float32), y_test)
    print(f"default network, MNIST test accuracy: {accuracy:.4f}")
    assert accuracy >= 0.935
