"""MLPGridSearchCV against the real GridSearchCV, candidate by candidate."""

import re
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import MLPGridSearchCV, NumpyMLPClassifier, NumpyMLPRegressor
from sknumpynet._search.path import fit_path


@pytest.fixture(scope="module")
def small_digits(digits):
    X, y = digits
    return X[:540], y[:540]


def _both(estimator, grid, X, y, fit_params=None, **search_params):
    """Fit GridSearchCV and MLPGridSearchCV alike; return both."""
    searches = []
    for cls in (GridSearchCV, MLPGridSearchCV):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search = cls(clone(estimator), grid, **search_params)
            search.fit(X, y, **(fit_params or {}))
        search.caught = [w for w in caught if w.category is FitFailedWarning]
        searches.append(search)
    return searches


def assert_same_results(theirs, ours, n_samples=540, samples=2):
    """Same keys, candidates and best; split scores within ``samples`` test samples."""
    a, b = theirs.cv_results_, ours.cv_results_
    assert a.keys() == b.keys()
    assert a["params"] == b["params"]
    tolerance = samples / (n_samples // theirs.n_splits_) + 1e-12
    for key in a:
        if re.fullmatch(r"split\d+_(test|train)_.*", key):
            x, y = np.asarray(a[key], float), np.asarray(b[key], float)
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=key)
            assert np.nanmax(np.abs(x - y), initial=0) <= tolerance, key
    assert theirs.best_params_ == ours.best_params_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, abs=tolerance)


SGD = NumpyMLPClassifier(random_state=0, tol=None, dtype="float64")


@pytest.mark.parametrize(
    "estimator, grid",
    [
        (SGD, {"alpha": [0.02, 0.1, 0.3], "epochs": [1, 3, 6]}),
        (
            make_pipeline(MinMaxScaler(), clone(SGD)),
            {
                "numpymlpclassifier__alpha": [0.05, 0.2],
                "numpymlpclassifier__epochs": [2, 5],
            },
        ),
        (
            clone(SGD).set_params(tol=1e-2, n_iter_no_change=1),
            {"alpha": [0.01, 0.3], "momentum": [0.0, 0.9], "epochs": [2, 4, 12]},
        ),
        (
            NumpyMLPClassifier(
                solver="adam",
                early_stopping=True,
                dropout=0.2,
                random_state=0,
                dtype="float64",
                n_iter_no_change=2,
            ),
            {"alpha": [1e-3, 1e-2], "beta_1": [0.8, 0.9], "epochs": [2, 6]},
        ),
        (
            SGD,
            {"hidden_layer_sizes": [(8,), (24, 6)], "alpha": [0.1], "epochs": [2, 3]},
        ),
        (
            clone(SGD).set_params(
                learning_rate="adaptive", tol=1e-2, n_iter_no_change=1
            ),
            {"momentum": [0.0, 0.5], "alpha": [0.05, 0.2], "epochs": [3, 8]},
        ),
        (SGD, {"solver": ["sgd", "lbfgs"], "alpha": [0.1], "epochs": [3, 5]}),
        (
            SGD,
            [
                {"alpha": [0.05, 0.3], "epochs": [2, 4]},
                {"momentum": [0.5, 0.9], "epochs": [3]},
            ],
        ),
    ],
    ids=[
        "sgd",
        "pipeline",
        "convergence",
        "adam-early-dropout",
        "shapes",
        "adaptive",
        "lbfgs",
        "list-of-grids",
    ],
)
def test_same_results_as_grid_search(small_digits, estimator, grid):
    X, y = small_digits
    theirs, ours = _both(estimator, grid, X, y, cv=3)
    assert_same_results(theirs, ours)


def test_sample_weights_are_sliced_per_fold(small_digits):
    X, y = small_digits
    weights = np.random.RandomState(0).randint(1, 4, len(y)).astype(float)
    theirs, ours = _both(
        SGD,
        {"alpha": [0.05, 0.2], "epochs": [2, 4]},
        X,
        y,
        fit_params={"sample_weight": weights},
        cv=3,
    )
    assert_same_results(theirs, ours)
    # The weights changed the results: they were not dropped on the way.
    plain = MLPGridSearchCV(SGD, {"alpha": [0.05, 0.2], "epochs": [2, 4]}, cv=3)
    plain.fit(X, y)
    assert not np.allclose(
        plain.cv_results_["split0_test_score"], ours.cv_results_["split0_test_score"]
    )


def test_neg_log_loss_and_multimetric_refit(small_digits):
    X, y = small_digits
    grid = {"alpha": [0.05, 0.2], "epochs": [2, 5]}
    theirs, ours = _both(SGD, grid, X, y, cv=3, scoring="neg_log_loss")
    for key in ("split0_test_score", "mean_test_score"):
        np.testing.assert_allclose(
            ours.cv_results_[key], theirs.cv_results_[key], rtol=1e-7
        )
    assert ours.best_params_ == theirs.best_params_
    scoring = {"acc": "accuracy", "nll": "neg_log_loss"}
    theirs, ours = _both(
        SGD, grid, X, y, cv=3, scoring=scoring, refit="nll", return_train_score=True
    )
    assert ours.multimetric_ and ours.scorer_.keys() == theirs.scorer_.keys()
    for key in ("mean_test_acc", "mean_test_nll", "mean_train_nll"):
        np.testing.assert_allclose(
            ours.cv_results_[key], theirs.cv_results_[key], rtol=1e-7
        )
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == pytest.approx(theirs.best_score_)


def test_diverging_candidate_fails_alone(small_digits):
    X, y = small_digits
    grid = {"alpha": [0.1, 1e6], "epochs": [2, 4]}
    theirs, ours = _both(SGD, grid, X, y, cv=3)
    assert_same_results(theirs, ours)
    scores = ours.cv_results_["mean_test_score"]
    assert np.isnan(scores[2:]).all() and np.isfinite(scores[:2]).all()
    # GridSearchCV's warning: 6 of 12 fits failed, with TrainingDiverged.
    assert len(ours.caught) == len(theirs.caught) == 1
    message = str(ours.caught[0].message)
    assert "6 fits failed out of a total of 12" in message
    assert "TrainingDiverged: Training diverged in epoch 1" in message
    with pytest.raises(ValueError, match="Training diverged"):
        MLPGridSearchCV(SGD, grid, cv=3, error_score="raise").fit(X, y)


def test_regressor_over_alpha_l2_and_epochs():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (300, 4))
    y = np.sin(X @ [1.0, -2.0, 0.5, 1.5])
    estimator = NumpyMLPRegressor(random_state=0, tol=None, dtype="float64")
    grid = {"alpha": [0.01, 0.05], "l2": [0.0, 0.1], "epochs": [2, 5]}
    theirs, ours = _both(estimator, grid, X, y, cv=3)
    for key in ("split0_test_score", "split2_test_score", "mean_test_score"):
        np.testing.assert_allclose(
            ours.cv_results_[key], theirs.cv_results_[key], rtol=1e-7
        )
    assert ours.best_params_ == theirs.best_params_


@pytest.mark.parametrize(
    "cv", [4, KFold(3, shuffle=True, random_state=1), GroupKFold(3)]
)
def test_cv_splitters(small_digits, cv):
    X, y = small_digits
    params = {"groups": np.arange(len(y)) % 7} if isinstance(cv, GroupKFold) else {}
    theirs, ours = _both(
        SGD, {"alpha": [0.1, 0.3], "epochs": [1, 3]}, X, y, fit_params=params, cv=cv
    )
    assert ours.n_splits_ == theirs.n_splits_
    assert_same_results(theirs, ours)


def test_two_jobs_equal_one(small_digits):
    X, y = small_digits
    grid = {"hidden_layer_sizes": [(8,), (10,)], "alpha": [0.1, 0.3], "epochs": [1, 3]}
    serial = MLPGridSearchCV(SGD, grid, cv=3).fit(X, y)
    parallel = MLPGridSearchCV(SGD, grid, cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(
        serial.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )


def test_float32_mean_scores_within_a_hundredth(small_digits):
    X, y = small_digits
    estimator = NumpyMLPClassifier(random_state=0, tol=None, dtype="float32")
    theirs, ours = _both(
        estimator, {"alpha": [0.05, 0.2], "epochs": [2, 5]}, X, y, cv=3
    )
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"],
        theirs.cv_results_["mean_test_score"],
        atol=0.01,
    )


def test_refit_equals_a_fresh_fit_of_the_best(small_digits):
    X, y = small_digits
    search = MLPGridSearchCV(SGD, {"alpha": [0.05, 0.2], "epochs": [2, 4]}, cv=3)
    search.fit(X, y)
    fresh = clone(SGD).set_params(**search.best_params_).fit(X, y)
    for ours, theirs in zip(search.best_estimator_.coefs_, fresh.coefs_):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(search.predict(X), fresh.predict(X))
    assert search.refit_time_ > 0 and search.classes_.tolist() == list(range(10))


def test_clone_and_get_params_as_grid_search():
    search = MLPGridSearchCV(SGD, {"alpha": [0.1]}, cv=5, n_jobs=2, verbose=1)
    reference = GridSearchCV(SGD, {"alpha": [0.1]}, cv=5, n_jobs=2, verbose=1)
    assert search.get_params().keys() == reference.get_params().keys()
    cloned = clone(search)
    assert type(cloned) is MLPGridSearchCV
    assert cloned.get_params()["cv"] == 5 and cloned.param_grid == {"alpha": [0.1]}


@pytest.mark.parametrize(
    "grid", [{"no_such_parameter": [1]}, {"alpha": []}, {"alpha": 0.1}]
)
def test_bad_grids_fail_as_in_grid_search(small_digits, grid):
    X, y = small_digits
    with pytest.raises((ValueError, TypeError)) as theirs:
        GridSearchCV(SGD, grid, cv=3).fit(X, y)
    with pytest.raises(type(theirs.value)) as ours:
        MLPGridSearchCV(SGD, grid, cv=3).fit(X, y)
    assert str(ours.value) == str(theirs.value)


def test_refuses_an_estimator_that_is_not_a_network(small_digits):
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="Use sklearn.model_selection.GridSearchCV"):
        MLPGridSearchCV(LogisticRegression(), {"C": [1.0]}).fit(*small_digits)


def test_verbose_says_what_trains(small_digits, capsys):
    X, y = small_digits
    MLPGridSearchCV(SGD, {"alpha": [0.1, 0.3], "epochs": [1, 2]}, cv=3, verbose=2).fit(
        X, y
    )
    out = capsys.readouterr().out
    assert "Fitting 3 folds for each of 4 candidates, totalling 12 fits" in out
    assert out.count("2 network(s) (alpha) to [1, 2]: trained in") == 3
    assert out.count("] END ") == 12  # GridSearchCV's line per fit


def _cv_lines(out):
    """GridSearchCV's per-fit lines, without their times, as a sorted list."""
    lines = [line for line in out.splitlines() if "] END " in line]
    return sorted(re.sub(r"\.*(\S.*?) total time=.*$", r"\1", line) for line in lines)


@pytest.mark.parametrize(
    "verbose, search_params",
    [
        (3, {}),
        (3, {"return_train_score": True}),
        (3, {"scoring": ["accuracy", "neg_log_loss"], "refit": "accuracy"}),
        (10, {}),
    ],
)
def test_verbose_prints_gridsearchcvs_lines(
    small_digits, capsys, verbose, search_params
):
    X, y = small_digits
    grid = {"alpha": [0.05, 0.3], "epochs": [1, 2]}
    printed = []
    for cls in (GridSearchCV, MLPGridSearchCV):
        cls(SGD, grid, cv=3, verbose=verbose, **search_params).fit(X, y)
        printed.append(_cv_lines(capsys.readouterr().out))
    assert len(printed[0]) == 12 and printed[0] == printed[1]
    assert "score=" in printed[1][0] or "accuracy: (" in printed[1][0]


def test_path_models_equal_fits_with_fewer_epochs(small_digits):
    """Each checkpoint is the model that fit(epochs=e) returns: weights and curves."""
    X, y = small_digits
    estimator = NumpyMLPClassifier(
        random_state=0,
        dtype="float64",
        tol=0.02,
        n_iter_no_change=1,
        early_stopping=True,
        validation_fraction=0.2,
    )
    # One stops early with momentum (its steps and velocity must stop too),
    # one trains on, one's best epoch is not its last (kept, as fit keeps it).
    members = [
        {"alpha": 0.002, "momentum": 0.5},
        {"alpha": 0.3, "momentum": 0.5},
        {"alpha": 1.5},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the member that does not stop
        models, *_ = fit_path(estimator, members, [1, 3, 9], X, y, {})
    for member, by_epochs in zip(members, models):
        for epochs, model in by_epochs.items():
            fit = clone(estimator).set_params(**member, epochs=epochs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit.fit(X, y)
            assert model.n_iter_ == fit.n_iter_
            np.testing.assert_allclose(model.loss_curve_, fit.loss_curve_, rtol=1e-10)
            np.testing.assert_allclose(
                model.validation_scores_, fit.validation_scores_, rtol=1e-10
            )
            for a, b in zip(model.coefs_, fit.coefs_):
                np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    # The cases happened, or this test would not test them.
    assert models[0][9].n_iter_ < 9 and models[1][9].n_iter_ == 9
    best = np.argmin(models[2][9].validation_loss_curve_) + 1
    assert best < models[2][9].n_iter_ == 9


def test_callbacks_see_the_tasks_of_grid_search(small_digits):
    """scikit-learn's callbacks (ProgressBar, ...) see GridSearchCV's tasks."""
    pytest.importorskip("sklearn.callback")
    from collections import Counter

    from callback_helpers import Callback

    class Recorder(Callback):
        def __init__(self):
            self.ended = []

        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            self.ended.append((context.task_name, context.task_id))
            return False

    X, y = small_digits
    ended = {}
    for cls in (GridSearchCV, MLPGridSearchCV):
        recorder = Recorder()
        search = cls(SGD, {"alpha": [0.1, 0.3], "epochs": [1, 2]}, cv=3)
        search.set_callbacks(recorder)
        search.fit(X, y)
        ended[cls] = recorder.ended
    assert Counter(ended[MLPGridSearchCV]) == Counter(ended[GridSearchCV])
    assert len(ended[MLPGridSearchCV]) == 4 * 3 + 3  # evaluations, search, refit, fit
    assert ended[MLPGridSearchCV][-1][0] == "fit"


STACKABLE_GRIDS = {
    "sgd": {
        "alpha": [0.05, 0.3],
        "l2": [1e-4, 0.05],
        "momentum": [0.5, 0.9],
        "power_t": [0.1, 0.6],
    },
    "adam": {
        "alpha": [1e-3, 0.02],
        "l2": [1e-4, 0.05],
        "beta_1": [0.8, 0.9],
        "beta_2": [0.99, 0.999],
    },
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "solver, parameter",
    [(s, p) for s, grid in STACKABLE_GRIDS.items() for p in grid],
)
def test_every_stackable_parameter_gives_gridsearchcvs_scores_exactly(
    small_digits, solver, parameter, dtype
):
    """A stack computes what separate fits compute, in their precision, to the bit.

    Adam in float32 did not: its per-network numbers met the arrays in float32
    where a fit's met them in float64 (3 of 9 mean scores differed on MNIST).
    """
    X, y = small_digits
    estimator = NumpyMLPClassifier(
        solver=solver,
        learning_rate="invscaling",
        random_state=0,
        tol=None,
        dtype=dtype,
    )
    grid = {parameter: STACKABLE_GRIDS[solver][parameter], "epochs": [1, 3]}
    if parameter != "alpha":  # members differ in alpha too
        grid["alpha"] = STACKABLE_GRIDS[solver]["alpha"]
    theirs, ours = _both(estimator, grid, X, y, cv=2)
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key])
    # Bit for bit: the best model of the stack's fold 0 path against its fit.
    members = [
        {k: v for k, v in params.items() if k != "epochs"}
        for params in ours.cv_results_["params"]
        if params["epochs"] == 3
    ]
    models, *_ = fit_path(estimator, members, [3], X[:270], y[:270], {})
    for member, by_epochs in zip(members, models):
        fit = clone(estimator).set_params(**member, epochs=3).fit(X[:270], y[:270])
        for ours_coef, fit_coef in zip(by_epochs[3].coefs_, fit.coefs_):
            np.testing.assert_array_equal(ours_coef, fit_coef)


def _assert_path_equals_fits(estimator, members, epochs, X, y, fit_params=None):
    """Each member's model at each checkpoint equals its own fit, to the bit."""
    fit_params = fit_params or {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models, *_ = fit_path(estimator, members, epochs, X, y, fit_params)
    fits = {}
    for member, by_epochs in zip(members, models):
        for e, model in by_epochs.items():
            fit = clone(estimator).set_params(**member, epochs=e)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit.fit(X, y, **fit_params)
            assert model.n_iter_ == fit.n_iter_
            assert model.loss_curve_ == fit.loss_curve_
            for ours, theirs in zip(model.coefs_, fit.coefs_):
                np.testing.assert_array_equal(ours, theirs)
            fits[repr(member), e] = fit
    return models, fits


def test_a_poisson_stack_with_sample_weights_equals_its_fits():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = rng.poisson(np.exp(0.3 + X @ [0.4, -0.3, 0.2, 0.0]), size=(2, 200)).T
    weights = rng.uniform(0.2, 2.0, size=200)
    estimator = NumpyMLPRegressor(
        loss="poisson", random_state=0, tol=None, dtype="float64"
    )
    members = [{"alpha": 1e-3, "l2": 0.0}, {"alpha": 1e-2, "l2": 1e-3}]
    _assert_path_equals_fits(
        estimator, members, [2, 4], X, y.astype(float), {"sample_weight": weights}
    )


def test_a_grid_search_on_sparse_input_equals_gridsearchcv(small_digits):
    from scipy import sparse

    X, y = small_digits
    X = sparse.csr_matrix(np.where(X > 0.5, X, 0.0))
    grid = {"alpha": [0.05, 0.3], "momentum": [0.0, 0.5], "epochs": [1, 3]}
    theirs, ours = _both(SGD, grid, X, y, cv=3)
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key])
    _assert_path_equals_fits(SGD, [{"alpha": 0.05}, {"alpha": 0.3}], [2], X, y)


def test_an_all_integer_grid_computes_in_floats(small_digits):
    # In int64, (t + 1) ** power_t overflows where a fit's Python integers do
    # not: after 539 samples, 540 ** 64 wraps to 0 and the step to inf.
    X, y = small_digits
    estimator = NumpyMLPClassifier(
        learning_rate="invscaling", random_state=0, tol=None, dtype="float64"
    )
    members = [{"alpha": 1, "power_t": 64}, {"alpha": 1, "power_t": 1}]
    _assert_path_equals_fits(estimator, members, [2, 3], X[:539], y[:539])


def test_an_adam_member_that_converges_stops_while_the_others_go_on(small_digits):
    X, y = small_digits
    estimator = NumpyMLPClassifier(
        solver="adam", tol=0.05, n_iter_no_change=1, random_state=0, dtype="float64"
    )
    members = [{"alpha": 1e-4}, {"alpha": 0.02}, {"alpha": 0.01, "beta_1": 0.5}]
    models, _ = _assert_path_equals_fits(estimator, members, [2, 6, 12], X, y)
    stopped = [by_epochs[12].n_iter_ for by_epochs in models]
    assert min(stopped) < max(stopped)  # one stopped while others went on


def test_verbose_networks_of_a_stack_say_which_they_are(small_digits, capsys):
    X, y = small_digits
    estimator = clone(SGD).set_params(verbose=1)
    fit_path(estimator, [{"alpha": 0.05}, {"alpha": 0.3}], [2], X, y, {})
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(", loss")[0] for line in lines] == [
        "Network 0: Epoch 1/2",
        "Network 1: Epoch 1/2",
        "Network 0: Epoch 2/2",
        "Network 1: Epoch 2/2",
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"momentum": 0.9, "learning_rate": "invscaling"},
        {"solver": "adam", "dropout": 0.2, "early_stopping": True, "tol": 1e-3},
        {"learning_rate": "adaptive", "tol": 0.05, "n_iter_no_change": 1},
    ],
    ids=["momentum-invscaling", "adam-dropout-early-stopping", "adaptive"],
)
def test_a_saved_stack_goes_on_as_its_fits_do(small_digits, params):
    """Halving's continuation: the survivors of a round train on from its end."""
    X, y = small_digits
    estimator = NumpyMLPClassifier(random_state=0, dtype="float64", **params)
    estimator.set_params(tol=params.get("tol"))
    alphas = [0.002, 0.01, 0.05, 0.2] if "solver" in params else [0.02, 0.1, 0.3, 0.6]
    members = [{"alpha": a} for a in alphas]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, saved = fit_path(estimator, members, [2], X, y, {})
        survivors = [members[3], members[1]]  # a subset, in another order
        models, _, again = fit_path(estimator, survivors, [4, 7], X, y, {}, saved)
    assert again.epochs_done == 7
    for member, by_epochs in zip(survivors, models):
        for epochs, model in by_epochs.items():
            fit = clone(estimator).set_params(**member, epochs=epochs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit.fit(X, y)
            assert model.n_iter_ == fit.n_iter_
            assert model.loss_curve_ == fit.loss_curve_
            for ours, theirs in zip(model.coefs_, fit.coefs_):
                np.testing.assert_array_equal(ours, theirs)


def test_a_multilabel_stack_equals_its_fits(small_digits):
    X, y = small_digits
    Y = np.stack([y % 2, y > 4, y % 3 == 0], axis=1).astype(int)
    estimator = NumpyMLPClassifier(random_state=0, tol=None, dtype="float64")
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(Y))
    _assert_path_equals_fits(
        estimator,
        [{"alpha": 0.05}, {"alpha": 0.3}],
        [1, 3],
        X,
        Y,
        {"sample_weight": weights},
    )


def test_fit_times_grow_along_the_path(small_digits, monkeypatch):
    # A candidate's fit_time is its stack's time to its epochs, shared. The
    # clock is one that ticks once an epoch, so the test times nothing.
    from types import SimpleNamespace

    from sknumpynet._search import path

    X, y = small_digits
    ticks = iter(range(10**6))
    monkeypatch.setattr(path, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    search = MLPGridSearchCV(SGD, {"alpha": [0.05, 0.3], "epochs": [1, 12]}, cv=3)
    times = search.fit(X, y).cv_results_["mean_fit_time"].reshape(2, 2)
    assert (times[:, 1] > times[:, 0]).all()


def _epoch_clock(monkeypatch):
    """Make the path's clock read the number of stack epochs trained so far."""
    from types import SimpleNamespace

    from sknumpynet._search import path

    trained = [0]
    epoch_end = path._PathHooks.epoch_end

    def counting(self, state):
        trained[0] += 1
        return epoch_end(self, state)

    monkeypatch.setattr(path._PathHooks, "epoch_end", counting)
    monkeypatch.setattr(path, "time", SimpleNamespace(perf_counter=lambda: trained[0]))
    return trained


def test_the_time_to_a_checkpoint_counts_the_epochs_trained_to_it(
    small_digits, monkeypatch
):
    # The stack trains 2 epochs, then the member that wants 3 trains on alone.
    X, y = small_digits
    _epoch_clock(monkeypatch)
    members = [{"alpha": 0.05}, {"alpha": 0.3}]
    _, times, _ = fit_path(SGD, members, [[2], [3]], X, y, {})
    assert times == {2: 2, 3: 3}


def test_a_stack_whose_networks_all_stopped_trains_no_further(
    small_digits, monkeypatch
):
    # No epoch improves the loss by 10: both networks stop after their third
    # (the second epoch without progress), before the first one's checkpoint.
    X, y = small_digits
    trained = _epoch_clock(monkeypatch)
    estimator = clone(SGD).set_params(tol=10.0, n_iter_no_change=1)
    members = [{"alpha": 0.05}, {"alpha": 0.3}]
    models, _, _ = fit_path(estimator, members, [[4], [10]], X, y, {})
    assert trained[0] == models[0][4].n_iter_ == models[1][10].n_iter_ == 3


def test_a_scorer_is_given_the_candidates_parameters(small_digits):
    # A callable scorer gets the fitted candidate, its parameters set, as
    # GridSearchCV gives it.
    X, y = small_digits

    def scorer(estimator, X, y):
        return 100 * estimator.alpha + estimator.epochs

    grid = {"alpha": [0.05, 0.3], "epochs": [1, 2]}
    theirs, ours = _both(SGD, grid, X, y, scoring=scorer, cv=3)
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert ours.cv_results_["mean_test_score"].tolist() == [6, 7, 31, 32]


def test_a_search_on_a_data_frame_keeps_its_feature_names(small_digits):
    pd = pytest.importorskip("pandas")
    X, y = small_digits
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
    with warnings.catch_warnings():
        # Scoring a model that lost the names would warn that X has them.
        warnings.simplefilter("error")
        search = MLPGridSearchCV(SGD, {"alpha": [0.1], "epochs": [1, 2]}, cv=3)
        search.fit(frame, y)
    assert list(search.feature_names_in_) == list(frame.columns)


def test_a_validation_set_with_weights_is_used_as_gridsearchcv_uses_it(small_digits):
    X, y = small_digits
    params = {
        "X_val": X[:100],
        "y_val": y[:100],
        "sample_weight_val": np.linspace(0.5, 2.0, 100),
    }
    theirs, ours = _both(
        SGD, {"alpha": [0.05, 0.3], "epochs": [1, 3]}, X[100:], y[100:], params, cv=3
    )
    assert_same_results(theirs, ours, n_samples=440, samples=0)


def test_an_unknown_fit_parameter_is_named(small_digits):
    X, y = small_digits
    search = MLPGridSearchCV(SGD, {"alpha": [0.1]}, cv=3, error_score="raise")
    with pytest.raises(TypeError, match=r"fit got unexpected parameters \['foo'\]"):
        search.fit(X, y, foo=np.ones(len(y)))


def test_a_resumed_stack_keeps_its_divergence_limit(small_digits):
    # A halving round goes on from the round before: a member diverges in
    # the same epoch, measured from the loss its training started from
    # (100 times 2.7), not from where the round began (100 times ~80).
    X, y = small_digits
    estimator = NumpyMLPClassifier(random_state=0, tol=None, momentum=0.9)
    members = [{"alpha": 20.0}, {"alpha": 0.05}]
    fresh, *_ = fit_path(estimator, members, [1, 4], X, y, {})
    first, _, saved = fit_path(estimator, members, [1], X, y, {})
    resumed, *_ = fit_path(estimator, members, [4], X, y, {}, resume=saved)
    assert saved.epochs_done == 1
    failures = [str(models[0][4]) for models in (fresh, resumed)]
    assert re.match(r"Training diverged in epoch 2: the loss became ", failures[0])
    assert failures[1] == failures[0]
    np.testing.assert_array_equal(resumed[1][4].coefs_[0], fresh[1][4].coefs_[0])
