"""When training stops: tol, n_iter_no_change and early stopping, as in scikit-learn."""

import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from sknumpynet import NumpyMLPClassifier

# A vanishing step: no epoch improves on the first one by tol.
FROZEN = dict(alpha=1e-12, learning_rate="constant", epochs=100, tol=1e-4)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("n_iter_no_change", [1, 3, 6])
def test_stops_at_the_same_epoch_as_mlpclassifier_when_nothing_improves(
    digits, early_stopping, n_iter_no_change
):
    X, y = digits
    common = dict(
        n_iter_no_change=n_iter_no_change, early_stopping=early_stopping, random_state=0
    )
    ours = NumpyMLPClassifier((5,), **FROZEN, **common).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = MLPClassifier(
            (5,),
            solver="sgd",
            learning_rate_init=1e-12,
            momentum=0.0,
            max_iter=100,
            tol=1e-4,
            **common,
        ).fit(X, y)
    # The first epoch improves on nothing (inf); then n_iter_no_change + 1
    # epochs without improvement.
    assert ours.n_iter_ == theirs.n_iter_ == n_iter_no_change + 2


def test_an_improvement_just_above_tol_resets_the_count(digits):
    # A real step improves every epoch by far more than a tiny tol: no stop.
    X, y = digits
    clf = NumpyMLPClassifier(
        (5,), alpha=0.1, epochs=12, tol=1e-9, n_iter_no_change=1, random_state=0
    )
    with pytest.warns(Warning, match="12 epochs reached"):
        clf.fit(X, y)
    assert clf.n_iter_ == 12


@pytest.mark.parametrize("early_stopping", [False, True])
def test_an_improvement_below_tol_does_not_count(digits, early_stopping):
    # Improvements of about 1e-4 per epoch, against tol = 1: none counts.
    X, y = digits
    clf = NumpyMLPClassifier(
        (5,),
        alpha=1e-4,
        learning_rate="constant",
        epochs=50,
        tol=1.0,
        n_iter_no_change=2,
        early_stopping=early_stopping,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ == 4


def test_adaptive_schedule_divides_the_step_before_it_stops(digits, capsys):
    # alpha = 4e-6: too small to improve by tol. After 2 + 1 epochs without
    # progress the step becomes 8e-7 and the count starts again; after 3
    # more, 8e-7 is below the floor of 1e-6 and training stops.
    X, y = digits
    clf = NumpyMLPClassifier(
        (5,),
        alpha=4e-6,
        learning_rate="adaptive",
        epochs=100,
        tol=1e-4,
        n_iter_no_change=2,
        random_state=0,
        verbose=1,
    ).fit(X, y)
    out = capsys.readouterr().out
    stall = (
        "Training loss did not improve more than tol=0.0001 for 2 consecutive epochs."
    )
    assert f"{stall} Setting learning rate to 0.000001" in out
    assert f"{stall} Learning rate too small. Stopping." in out
    assert clf.n_iter_ == 7


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_verbose_prints_each_epoch_and_why_training_stopped(digits, capsys, solver):
    X, y = digits
    NumpyMLPClassifier(
        (5,),
        **{**FROZEN, "epochs": 20},
        solver=solver,
        n_iter_no_change=2,
        early_stopping=True,
        random_state=0,
        verbose=1,
    ).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert len(epochs) == 4
    assert epochs[0].startswith("Epoch 1/20, loss = ")
    assert ", validation loss = " in epochs[0] and ", validation score = " in epochs[0]
    assert (
        "Validation score did not improve more than tol=0.0001 for 2 consecutive "
        "epochs. Stopping." in lines
    )


def test_verbose_lbfgs_prints_each_iteration(digits, capsys):
    X, y = digits
    NumpyMLPClassifier(solver="lbfgs", epochs=3, tol=None, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Iteration 1",
        "Iteration 2",
        "Iteration 3",
    ]
    assert all(np.isfinite(float(line.split("= ")[1])) for line in lines)


def test_divergence_messages_say_what_to_change(digits):
    from sknumpynet import NumpyMLPRegressor, TrainingDiverged

    X, y = digits
    with pytest.raises(TrainingDiverged) as sgd:
        NumpyMLPClassifier(alpha=1e6, random_state=0).fit(X, y)
    message = str(sgd.value)
    assert message.startswith("Training diverged in epoch 1: the loss became ")
    start = float(message.split(", from ")[1].split(". The")[0])
    assert 2.0 < start < 3.0  # the starting loss, about log(10)
    assert message.endswith(
        "The learning rate alpha=1000000.0 is too large for this data, or the "
        "features are badly scaled. Lower alpha (e.g. alpha=100000) or scale X, "
        "e.g. with a MinMaxScaler or StandardScaler in a Pipeline. The estimator "
        "was left as it was before this call."
    )
    with pytest.raises(TrainingDiverged) as lbfgs, np.errstate(all="ignore"):
        NumpyMLPRegressor(solver="lbfgs", epochs=5).fit(X * 1e200, y / 9.0)
    assert str(lbfgs.value) == (
        "Training diverged in epoch 1: the loss became nan. The features are "
        "probably badly scaled: scale X, e.g. with a StandardScaler in a "
        "Pipeline. The estimator was left as it was before this call."
    )


class _Scripted:
    """Hooks whose held-out set scores the losses and scores given, in turn."""

    validates = stops_early = True

    def __init__(self, results):
        self.results = iter(results)

    def validate(self, network):
        return next(self.results)


def _no_improvement_counts(results, tol=0.0, stops_early=True, losses=None):
    from types import SimpleNamespace

    from sknumpynet._training.state import TrainingState
    from sknumpynet._training.stopping import track_progress

    network = SimpleNamespace(flat=np.zeros(3))
    state = TrainingState(network, validation_scores=[], validation_loss_curve=[])
    hooks = _Scripted(results)
    hooks.validates = hooks.stops_early = stops_early
    params = {"tol": tol, "n_iter_no_change": 10}
    counts = []
    for loss in losses or [0.0] * len(results):
        state.loss = loss
        track_progress(state, params, hooks, np.zeros(3))
        counts.append(state.no_improvement_count)
    return counts


def test_a_tie_at_tol_0_counts_as_progress_as_in_scikit_learn():
    # scikit-learn's MLP counts an epoch without progress when the score is
    # below the best + tol, or the loss above the best - tol: a tie at tol=0
    # is progress. The held-out score ties while its loss rises:
    assert _no_improvement_counts([(1.0, 0.5), (1.2, 0.5), (1.3, 0.5)]) == [0, 0, 0]
    # the held-out loss ties while its score falls:
    assert _no_improvement_counts([(1.0, 0.5), (1.0, 0.4), (1.0, 0.3)]) == [0, 0, 0]
    # neither ties: no progress.
    assert _no_improvement_counts([(1.0, 0.5), (1.1, 0.4)]) == [0, 1]
    # The training loss, without early stopping: a tie is progress too.
    assert _no_improvement_counts(
        [None] * 3, stops_early=False, losses=[2.0, 2.0, 2.5]
    ) == [0, 0, 1]


def test_a_loss_at_the_divergence_limit_has_not_diverged():
    from sknumpynet import TrainingDiverged
    from sknumpynet._training.stopping import check_diverged

    params = {"solver": "sgd", "alpha": 0.1}
    check_diverged(250.0, 250.0, params, 1)  # "exceeds": equal is fine
    with pytest.raises(TrainingDiverged, match="the loss became 250"):
        check_diverged(np.nextafter(250.0, np.inf), 250.0, params, 1)


def test_a_tie_in_held_out_loss_keeps_the_first_best_epoch():
    from types import SimpleNamespace

    from sknumpynet._training.state import TrainingState
    from sknumpynet._training.stopping import track_progress

    network = SimpleNamespace(flat=np.zeros(2))
    state = TrainingState(network, validation_scores=[], validation_loss_curve=[])
    hooks = _Scripted([(1.0, 0.5), (1.0, 0.7)])
    best = np.full(2, -1.0)
    for weights in ([1.0, 1.0], [2.0, 2.0]):
        network.flat[...] = weights
        track_progress(state, {"tol": None, "n_iter_no_change": 10}, hooks, best)
    # The epoch of lowest held-out loss is the first of the tie: its weights
    # and its score are kept, as fit keeps them.
    np.testing.assert_array_equal(best, [1.0, 1.0])
    assert state.best_validation_loss == 1.0
    assert state.best_validation_score == 0.5


def test_the_convergence_warning_says_how_to_run_every_epoch(digits):
    from sklearn.exceptions import ConvergenceWarning

    X, y = digits
    with pytest.warns(ConvergenceWarning) as caught:
        NumpyMLPClassifier(epochs=2, tol=0.0, random_state=0).fit(X, y)
    assert str(caught[0].message) == (
        "2 epochs reached and the optimization hasn't converged yet. Increase "
        "epochs, or set tol=None to always run exactly `epochs` epochs."
    )
