"""The pictures of the command line: layout and what their titles say."""

import numpy as np
import pytest

from sknumpynet import NumpyMLPClassifier

pytest.importorskip("matplotlib")
from sknumpynet._cli.pictures import grid_shape, plot_first_layer  # noqa: E402


@pytest.mark.parametrize(
    "n, shape",
    [(10, (2, 5)), (64, (8, 8)), (7, (1, 7)), (12, (3, 4)), (1, (1, 1)), (13, (4, 4))],
)
def test_grid_has_full_rows_where_it_can(n, shape):
    assert grid_shape(n) == shape


@pytest.mark.parametrize(
    "hidden, expected", [(10, "all 10 units"), (100, "the first 64 of 100 units")]
)
def test_weight_picture_says_what_it_draws(tmp_path, hidden, expected):
    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 64), np.arange(40) % 2
    clf = NumpyMLPClassifier((hidden,), epochs=1, tol=None).fit(X, y)
    path = tmp_path / "w.png"
    title = plot_first_layer(clf, path, dataset="digits")
    assert title == f"First-layer weights on digits, {expected}"
    assert path.stat().st_size > 5_000
