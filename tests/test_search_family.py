"""The randomized and successive-halving searches against scikit-learn's own.

Candidate by candidate and, for halving, round by round: the same
candidates, scores, rounds and best candidate, exactly, in float32 and
float64; and each halving round trains only the epochs it adds.
"""

import re
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from processes import default_sigint
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import sknumpynet._search.path as path
from sknumpynet import (
    MLPHalvingGridSearchCV,
    MLPHalvingRandomSearchCV,
    MLPRandomizedSearchCV,
    NumpyMLPClassifier,
    NumpyMLPRegressor,
)

ALPHAS = list(np.geomspace(0.005, 0.5, 8))


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:540], y[:540]


def _both(theirs, ours, estimator, X, y, fit_params=None, **params):
    """Fit scikit-learn's search and ours alike; return both and their warnings."""
    fitted = []
    for cls in (theirs, ours):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search = cls(clone(estimator), **params).fit(X, y, **(fit_params or {}))
        # The warning's summary, and the error each failure ended in (the
        # tracebacks differ: ours come from the stack).
        messages = [str(w.message) for w in caught if w.category is FitFailedWarning]
        search.failed = [
            (m.split("Below")[0], re.findall(r"\n(\w+: .*)", m)) for m in messages
        ]
        fitted.append(search)
    return fitted


def assert_equal_searches(theirs, ours):
    """The same candidates, scores, rounds and best, exactly."""
    a, b = theirs.cv_results_, ours.cv_results_
    assert a.keys() == b.keys()
    assert a["params"] == b["params"]
    for key in a:
        if re.fullmatch(r"(split\d+|mean)_(test|train)_.*|iter|n_resources", key):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    for name in ("n_resources_", "n_candidates_", "n_remaining_candidates_"):
        assert getattr(theirs, name, None) == getattr(ours, name, None), name
    assert theirs.best_params_ == ours.best_params_
    assert theirs.best_score_ == ours.best_score_ or (
        np.isnan(theirs.best_score_) and np.isnan(ours.best_score_)
    )
    assert theirs.failed == ours.failed


HALVING = dict(
    param_grid={"alpha": ALPHAS},
    resource="epochs",
    max_resources=8,
    min_resources=1,
    factor=2,
    cv=3,
)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"momentum": 0.9, "learning_rate": "invscaling", "power_t": 0.3},
        {"solver": "adam", "early_stopping": True, "tol": 0.01, "dropout": 0.1},
        {"learning_rate": "adaptive", "tol": 0.05, "n_iter_no_change": 1},
    ],
    ids=["sgd", "momentum", "adam-early-stopping-dropout", "adaptive"],
)
def test_halving_equals_scikit_learns_round_by_round(data, params, dtype):
    X, y = data
    estimator = NumpyMLPClassifier(random_state=0, tol=None, dtype=dtype)
    estimator.set_params(**params)
    grid = {"alpha": [a / 50 for a in ALPHAS]} if "solver" in params else None
    theirs, ours = _both(
        HalvingGridSearchCV,
        MLPHalvingGridSearchCV,
        estimator,
        X,
        y,
        **dict(HALVING, **({"param_grid": grid} if grid else {})),
    )
    assert ours.n_resources_ == [1, 2, 4, 8] and ours.n_candidates_ == [8, 4, 2, 1]
    assert_equal_searches(theirs, ours)


def test_halving_trains_only_the_epochs_each_round_adds(data, monkeypatch):
    X, y = data
    trained = []
    real = path.minibatch_epochs

    def recorded(stack, *args, epochs, **kwargs):
        trained.append((len(stack.members), stack.epochs_done, epochs))
        return real(stack, *args, epochs=epochs, **kwargs)

    monkeypatch.setattr(path, "minibatch_epochs", recorded)
    MLPHalvingGridSearchCV(NumpyMLPClassifier(random_state=0, tol=None), **HALVING).fit(
        X, y
    )
    # Per fold: 8 networks to epoch 1, the best 4 on to 2, 2 on to 4, 1 to 8:
    # 8 + 4 + 4 + 4 = 20 network-epochs, where scikit-learn trains 8 + 8 + 8
    # + 8 = 32 from scratch.
    assert sorted(trained) == sorted([(8, 0, 1), (4, 1, 1), (2, 2, 2), (1, 4, 4)] * 3)


def test_halving_a_pipeline_with_sample_weights_and_a_diverging_member(data):
    X, y = data
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    pipeline = make_pipeline(
        MinMaxScaler(), NumpyMLPClassifier(random_state=0, tol=None)
    )
    theirs, ours = _both(
        HalvingGridSearchCV,
        MLPHalvingGridSearchCV,
        pipeline,
        X * 16,
        y,
        fit_params={"numpymlpclassifier__sample_weight": weights},
        param_grid={"numpymlpclassifier__alpha": [*ALPHAS[:5], 1e6]},
        resource="numpymlpclassifier__epochs",
        max_resources=6,
        min_resources=1,
        factor=2,
        cv=3,
    )
    assert ours.failed and "3 fits failed out of a total of" in ours.failed[0][0]
    assert_equal_searches(theirs, ours)


def test_halving_the_regressor_in_float32(data):
    X, y = data
    regressor = NumpyMLPRegressor(random_state=0, tol=None, dtype="float32")
    theirs, ours = _both(
        HalvingGridSearchCV,
        MLPHalvingGridSearchCV,
        regressor,
        X,
        y / 9.0,
        param_grid={"alpha": [a / 20 for a in ALPHAS], "l2": [0.0, 1e-3]},
        resource="epochs",
        max_resources=9,
        min_resources=1,
        factor=3,
        cv=3,
    )
    assert_equal_searches(theirs, ours)


def test_halving_over_samples_stacks_each_round_afresh(data):
    X, y = data
    theirs, ours = _both(
        HalvingGridSearchCV,
        MLPHalvingGridSearchCV,
        NumpyMLPClassifier(random_state=0, tol=None, epochs=3),
        X,
        y,
        param_grid={"alpha": ALPHAS},
        resource="n_samples",
        factor=2,
        min_resources=120,
        cv=3,
        random_state=0,
    )
    assert ours.n_resources_ == [120, 240, 480]
    assert_equal_searches(theirs, ours)


def test_max_resources_auto_is_the_estimators_epochs(data):
    X, y = data
    search = MLPHalvingGridSearchCV(
        NumpyMLPClassifier(random_state=0, tol=None, epochs=9),
        {"alpha": ALPHAS[:3]},
        factor=3,
        cv=3,
    ).fit(X, y)
    assert search.max_resources_ == 9 and search.n_resources_ == [3, 9]
    with pytest.raises(ValueError, match="resource='STEP__epochs'"):
        MLPHalvingGridSearchCV(
            make_pipeline(MinMaxScaler(), NumpyMLPClassifier()), {}, cv=3
        ).fit(X, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_randomized_equals_scikit_learns_candidate_by_candidate(data, dtype):
    X, y = data
    theirs, ours = _both(
        RandomizedSearchCV,
        MLPRandomizedSearchCV,
        NumpyMLPClassifier(random_state=0, tol=None, dtype=dtype, momentum=0.5),
        X,
        y,
        param_distributions={
            "alpha": loguniform(0.005, 0.5),
            "epochs": [1, 2, 4],
        },
        n_iter=10,
        cv=3,
        random_state=0,
    )
    assert_equal_searches(theirs, ours)


def test_halving_random_equals_scikit_learns(data):
    X, y = data
    theirs, ours = _both(
        HalvingRandomSearchCV,
        MLPHalvingRandomSearchCV,
        NumpyMLPClassifier(random_state=0, tol=None),
        X,
        y,
        param_distributions={"alpha": loguniform(0.005, 0.5), "l2": [0.0, 1e-3]},
        n_candidates=8,
        resource="epochs",
        max_resources=8,
        min_resources=1,
        factor=2,
        cv=3,
        random_state=0,
    )
    assert_equal_searches(theirs, ours)


def test_splitting_stacks_for_the_workers_changes_no_result(data):
    X, y = data
    estimator = NumpyMLPClassifier(random_state=0, tol=None)
    grid = {"alpha": ALPHAS, "epochs": [1, 3]}
    from sknumpynet import MLPGridSearchCV

    alone = MLPGridSearchCV(estimator, grid, cv=3, n_jobs=1, verbose=1)
    split = MLPGridSearchCV(estimator, grid, cv=3, n_jobs=2, verbose=1)
    for search in (alone, split):
        search.fit(X, y)
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(alone.cv_results_[key], split.cv_results_[key])


def test_ctrl_c_leaves_the_search_unfitted(tmp_path):
    script = tmp_path / "search.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            from sklearn.datasets import load_digits
            from sknumpynet import MLPGridSearchCV, NumpyMLPClassifier

            X, y = load_digits(return_X_y=True)
            search = MLPGridSearchCV(
                NumpyMLPClassifier(random_state=0, tol=None, epochs=2000),
                {"alpha": [0.01, 0.1]},
                cv=3,
            )
            print("searching", flush=True)
            try:
                search.fit(X / 16, y)
            except KeyboardInterrupt:
                print("interrupted", flush=True)
            print(sorted(k for k in vars(search) if k.endswith("_")), flush=True)
            """
        )
    )
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert process.stdout.readline() == "searching\n"
    import time

    time.sleep(2)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert out.splitlines() == ["interrupted", "[]"]


def test_a_member_leaves_the_stack_after_its_last_epochs(data, monkeypatch):
    # A randomized search's candidates each want their own epochs: none is
    # trained further (the models are tested above against scikit-learn's).
    X, y = data
    trained = []
    real = path.minibatch_epochs

    def recorded(stack, *args, epochs, **kwargs):
        trained.append(len(stack.members) * epochs)
        return real(stack, *args, epochs=epochs, **kwargs)

    monkeypatch.setattr(path, "minibatch_epochs", recorded)
    search = MLPRandomizedSearchCV(
        NumpyMLPClassifier(random_state=0, tol=None),
        {"alpha": loguniform(0.005, 0.5), "epochs": [1, 2, 4, 8]},
        n_iter=12,
        cv=3,
        random_state=0,
    ).fit(X, y)
    wanted = sum(p["epochs"] for p in search.cv_results_["params"])
    assert sum(trained) == 3 * wanted  # network-epochs, 3 folds
