"""The targets of an epoch, laid out window by window (``_targets.Targets``)."""

import numpy as np
import pytest

import sknumpynet._math.targets as losses
from sknumpynet import NumpyMLPClassifier, NumpyMLPRegressor


def _fit(monkeypatch, window_rows, make, X, y, sample_weight=None):
    monkeypatch.setattr(losses, "WINDOW_ROWS", window_rows)
    return make().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("window_rows", [1, 10, 35, 64])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "make",
    [
        lambda: NumpyMLPClassifier(
            (7,), batch_size=10, epochs=3, tol=None, random_state=0
        ),
        lambda: NumpyMLPClassifier(
            (7,),
            solver="adam",
            alpha=0.01,
            batch_size=10,
            epochs=3,
            tol=None,
            random_state=0,
        ),
        lambda: NumpyMLPRegressor(
            (7,), batch_size=10, epochs=3, tol=None, random_state=0
        ),
    ],
    ids=["sgd", "adam", "regressor"],
)
def test_windows_train_the_network_of_one_window(
    monkeypatch, digits, window_rows, weighted, make
):
    # 257 samples in batches of 10: windows of 10, 30 and 60 rows (whole
    # batches), the last batch of 7 and the last window short.
    X, y = digits
    X, y = X[:257], y[:257]
    if isinstance(make(), NumpyMLPRegressor):
        y = y / 9.0
    sw = np.random.RandomState(0).uniform(0.5, 2, X.shape[0]) if weighted else None
    whole = _fit(monkeypatch, 10**6, make, X, y, sw)
    windowed = _fit(monkeypatch, window_rows, make, X, y, sw)
    for a, b in zip(
        whole.coefs_ + whole.intercepts_, windowed.coefs_ + windowed.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    # The loss is summed window by window: the same to rounding.
    np.testing.assert_allclose(whole.loss_curve_, windowed.loss_curve_, rtol=1e-12)
    assert whole.loss_curve_[0] != whole.loss_curve_[-1]


def test_a_window_holds_whole_batches_and_little_memory():
    targets = losses.Targets("softmax", 10, 60_000, 32, np.dtype(np.float32))
    assert targets.window_rows % 32 == 0
    assert targets.window_rows <= losses.WINDOW_ROWS
    held = sum(a.nbytes for a in vars(targets).values() if isinstance(a, np.ndarray))
    assert held < 0.5e6  # a whole MNIST epoch took 5.5 MB
