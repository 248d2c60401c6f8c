"""The command line, as a user runs it, and the default network on real MNIST."""

import os
import signal
import subprocess
import sys
import time
import warnings
from urllib.error import URLError

import joblib
import numpy as np
import pytest
from processes import default_sigint
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
    from sknumpynet._cli.arguments import training_parser

    parser = training_parser("0")
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


# ----------------------------------------------------------------------
# Errors a user meets: one line on stderr, a non-zero exit, no traceback
# ----------------------------------------------------------------------


def _one_line_error(result, status):
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
@pytest.mark.parametrize("how", ["--data-dir", "SKNUMPYNET_MNIST_DIR"])
def test_a_wrong_data_folder_is_a_one_line_usage_error(tmp_path, kind, how):
    folder = tmp_path / "mnist"
    if kind == "file":
        folder.write_text("not a folder")
    elif kind == "empty":
        folder.mkdir()
    reason = {
        "missing": "does not exist",
        "file": "is a file, not a folder",
        "empty": "No train-images-idx3-ubyte",
    }[kind]
    args, env = ["--output-dir", str(tmp_path / "out")], {}
    if how == "--data-dir":
        args += ["--data-dir", str(folder)]
    else:
        env["SKNUMPYNET_MNIST_DIR"] = str(folder)
    result = subprocess.run(
        [sys.executable, "-m", "sknumpynet", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    line = _one_line_error(result, 2)
    where = "argument --data-dir" if how == "--data-dir" else f"{how}={folder}"
    assert line.startswith(f"sknumpynet: error: {where}: ")
    assert reason in line


def test_divergence_is_a_one_line_error(mnist_dir, tmp_path):
    result = _run_cli(
        *("--data-dir", str(mnist_dir), "--n-train", "500", "--alpha", "1e6"),
        *("--epochs", "2", "--output-dir", str(tmp_path)),
    )
    line = _one_line_error(result, 1)
    assert line.startswith("sknumpynet: error: Training diverged in epoch 1")
    assert "Lower alpha (e.g. alpha=100000)" in line
    assert not (tmp_path / "model.joblib").exists()


def _interrupt(args, when, timeout=240):
    """Run the command, send Ctrl-C (SIGINT) once a line holds ``when``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sknumpynet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=default_sigint,
    )
    seen = []
    for line in process.stdout:
        seen.append(line)
        if when in line:
            time.sleep(0.5)
            process.send_signal(signal.SIGINT)
            break
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        process.kill()  # no runaway training if Ctrl-C went unheard
    return process.returncode, "".join(seen) + out, err


def test_ctrl_c_in_the_first_epoch_saves_nothing(mnist_dir, tmp_path):
    (tmp_path / "model.joblib").write_text("the model of an earlier run")
    # A network whose first epoch takes seconds: Ctrl-C lands inside it.
    status, out, err = _interrupt(
        [
            *("--data-dir", str(mnist_dir), "--hidden", "512", "512"),
            *("--batch-size", "8", "--output-dir", str(tmp_path)),
        ],
        when="Training a",
    )
    assert status == 130, err
    assert err.strip() == (
        "sknumpynet: interrupted in the first epoch, before anything was "
        "learned; nothing was saved."
    )
    assert "Test accuracy" not in out
    assert (tmp_path / "model.joblib").read_text() == "the model of an earlier run"
    assert not (tmp_path / "training_curves.png").exists()


def test_ctrl_c_after_some_epochs_evaluates_and_saves_them(mnist_dir, tmp_path):
    status, out, err = _interrupt(
        [
            *("--data-dir", str(mnist_dir), "--n-train", "3000", "--hidden", "256"),
            *("--batch-size", "8", "--no-plots", "--output-dir", str(tmp_path)),
        ],
        when="epoch   2/100",
    )
    assert status == 0, err
    assert "Traceback" not in err and "UserWarning" not in err, err
    notice = [line for line in out.splitlines() if line.startswith("Interrupted")]
    assert len(notice) == 1, out
    n_done = int(notice[0].split("network of the ")[1].split()[0])
    assert n_done >= 2
    assert "Test accuracy on MNIST" in out
    model = joblib.load(tmp_path / "model.joblib")
    assert model[-1].n_iter_ == n_done


def test_ctrl_c_while_the_data_loads_is_one_line(tmp_path):
    # A pipe in place of the first file: reading it waits until Ctrl-C.
    folder = tmp_path / "mnist"
    folder.mkdir()
    os.mkfifo(folder / "train-images-idx3-ubyte")
    status, out, err = _interrupt(
        ["--data-dir", str(folder), "--output-dir", str(tmp_path)],
        when="Loading MNIST",
    )
    assert status == 130
    assert err.strip() == "sknumpynet: interrupted; nothing was saved."


# ----------------------------------------------------------------------
# What the command says and which controls it passes on
# ----------------------------------------------------------------------


def test_version_is_the_package_version():
    import sknumpynet

    result = _run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sknumpynet {sknumpynet.__version__}"


def test_header_names_only_what_the_solver_uses(mnist_dir, tmp_path):
    result = _run_cli(
        *("--data-dir", str(mnist_dir), "--solver", "lbfgs", "--n-train", "500"),
        *("--epochs", "1", "--no-plots", "--quiet", "--output-dir", str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    header = next(x for x in result.stdout.splitlines() if x.startswith("Training"))
    assert header.endswith("1 iteration, l2=0.0001, solver lbfgs")
    assert "alpha" not in header and "batch size" not in header


def test_a_tiny_training_set_reports_without_warnings(mnist_dir, tmp_path):
    result = _run_cli(
        *("--data-dir", str(mnist_dir), "--n-train", "5", "--epochs", "1"),
        *("--no-plots", "--output-dir", str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    assert ", 1 epoch, alpha=0.1" in result.stdout


def test_the_estimators_main_controls_reach_the_model(mnist_dir, tmp_path):
    result = _run_cli(
        *("--data-dir", str(mnist_dir), "--n-train", "3000", "--epochs", "40"),
        *("--momentum", "0.5", "--dropout", "0.1", "--early-stopping"),
        *("--n-iter-no-change", "2", "--validation-fraction", "0.2", "--verbose"),
        *("--no-plots", "--quiet", "--output-dir", str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    clf = joblib.load(tmp_path / "model.joblib")[-1]
    params = clf.get_params()
    assert params["momentum"] == 0.5 and params["dropout"] == 0.1
    assert params["early_stopping"] and params["validation_fraction"] == 0.2
    assert params["tol"] == NumpyMLPClassifier().tol  # early stopping needs one
    assert params["n_iter_no_change"] == 2 and params["verbose"] == 1
    assert clf.n_iter_ < 40 and len(clf.validation_scores_) == clf.n_iter_
    # verbose=1: the estimator's own lines, the reason it stopped among them.
    assert "Validation score did not improve more than tol" in result.stdout
    assert "momentum=0.5" in result.stdout and "early stopping" in result.stdout
