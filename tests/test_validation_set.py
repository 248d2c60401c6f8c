"""fit(X, y, X_val=..., y_val=...): a validation set of the user's choosing."""

import numpy as np
import pytest
import sklearn
from sklearn.metrics import log_loss, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import NumpyMLPClassifier, NumpyMLPRegressor


@pytest.fixture
def split(digits):
    X, y = digits
    return train_test_split(X, y, test_size=0.25, random_state=0)


def test_curves_are_recorded_every_epoch_without_early_stopping(split):
    X_train, X_val, y_train, y_val = split
    clf = NumpyMLPClassifier(epochs=6, tol=None, random_state=0)
    clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert len(clf.validation_loss_curve_) == len(clf.validation_scores_) == 6
    # The last epoch's model is kept (no early stopping): its held-out loss
    # and accuracy are the curves' last points.
    np.testing.assert_allclose(
        clf.validation_loss_curve_[-1], log_loss(y_val, clf.predict_proba(X_val))
    )
    assert clf.validation_scores_[-1] == clf.score(X_val, y_val)
    # Training itself is that of a fit without a validation set.
    plain = NumpyMLPClassifier(epochs=6, tol=None, random_state=0).fit(X_train, y_train)
    np.testing.assert_array_equal(plain.coefs_[0], clf.coefs_[0])
    assert plain.validation_loss_curve_ is None


def test_early_stopping_holds_out_the_given_set_and_keeps_its_best_epoch(split):
    X_train, X_val, y_train, y_val = split
    clf = NumpyMLPClassifier(
        epochs=60, early_stopping=True, n_iter_no_change=3, tol=1e-2, random_state=0
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert clf.n_iter_ < 60
    # Every training sample was trained on: nothing of X was held out.
    assert clf.t_ == clf.n_iter_ * len(y_train)
    best = int(np.argmin(clf.validation_loss_curve_))
    np.testing.assert_allclose(
        log_loss(y_val, clf.predict_proba(X_val)), clf.validation_loss_curve_[best]
    )
    assert clf.best_validation_loss_ == clf.validation_loss_curve_[best]


def test_weighted_validation_loss(split):
    X_train, X_val, y_train, y_val = split
    w = np.random.RandomState(0).uniform(0.2, 3, len(y_val))
    clf = NumpyMLPClassifier(epochs=3, tol=None, random_state=0).fit(
        X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=w
    )
    np.testing.assert_allclose(
        clf.validation_loss_curve_[-1],
        log_loss(y_val, clf.predict_proba(X_val), sample_weight=w),
    )


def test_regressor_records_r2_and_lbfgs_each_iteration():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(300, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0]
    reg = NumpyMLPRegressor(solver="lbfgs", epochs=15, tol=None, random_state=0)
    reg.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    assert len(reg.validation_scores_) == reg.n_iter_ == 15
    assert reg.validation_scores_[-1] == pytest.approx(
        r2_score(y[200:], reg.predict(X[200:]))
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"X_val": "X"}, "X_val was given without y_val"),
        ({"y_val": "y"}, "y_val was given without X_val"),
        ({"sample_weight_val": np.ones(5)}, "sample_weight_val was given without"),
        ({"X_val": "X3", "y_val": "y"}, "X_val: X has 3 features, but"),
        ({"X_val": "X", "y_val": "y11"}, r"y_val contains classes \[11\]"),
        ({"X_val": "X", "y_val": "y_short"}, "inconsistent numbers of samples"),
    ],
)
def test_a_bad_validation_set_is_refused_and_changes_nothing(split, kwargs, message):
    X_train, X_val, y_train, y_val = split
    values = {
        "X": X_val,
        "X3": X_val[:, :3],
        "y": y_val,
        "y11": np.where(y_val == 9, 11, y_val),
        "y_short": y_val[:-1],
    }
    kwargs = {
        k: values.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()
    }
    clf = NumpyMLPClassifier(epochs=2, tol=None, random_state=0).fit(X_train, y_train)
    before = clf.coefs_[0].copy()
    with pytest.raises(ValueError, match=message):
        clf.fit(X_train, y_train, **kwargs)
    np.testing.assert_array_equal(clf.coefs_[0], before)
    assert clf.validation_loss_curve_ is None


def test_a_pipeline_transforms_the_validation_set(split):
    # scikit-learn's Pipeline(transform_input=...) under metadata routing:
    # X_val goes through the scaler fitted on X before the network sees it.
    X_train, X_val, y_train, y_val = split
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline(
            [
                ("scale", StandardScaler()),
                (
                    "mlp",
                    NumpyMLPClassifier(
                        epochs=4, tol=None, random_state=0
                    ).set_fit_request(X_val=True, y_val=True),
                ),
            ],
            transform_input=["X_val"],
        ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    mlp = pipe[-1]
    np.testing.assert_allclose(
        mlp.validation_loss_curve_[-1], log_loss(y_val, pipe.predict_proba(X_val))
    )


def test_the_training_curves_picture_draws_the_validation_loss(split, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from sknumpynet._cli.pictures import plot_training_curves

    X_train, X_val, y_train, y_val = split
    clf = NumpyMLPClassifier(epochs=3, tol=None, random_state=0)
    clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    drawn = []
    savefig = plt.Figure.savefig

    def keep(fig, *args, **kwargs):
        drawn.append([line.get_label() for ax in fig.axes for line in ax.lines])
        return savefig(fig, *args, **kwargs)

    plt.Figure.savefig = keep
    try:
        plot_training_curves(clf, [], tmp_path / "curves.png")
    finally:
        plt.Figure.savefig = savefig
    assert drawn == [["training loss", "validation loss"]]
