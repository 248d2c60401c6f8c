"""How a search's stacks are shared out between workers (``_search/plan.py``).

The plan splits each fold's networks into stacks apart from the other
folds', so that every worker is busy; the results are those of one stack
per fold, and of scikit-learn's search, exactly.
"""

import itertools

import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV
from test_search_family import ALPHAS, HALVING, _both, assert_equal_searches

import sknumpynet._search.engine as engine
from sknumpynet import MLPHalvingGridSearchCV, NumpyMLPClassifier
from sknumpynet._search.plan import makespan, plan_parts, split, stack_cost


def _plan(n_folds, n_workers, n_networks=8, epochs=40):
    parts = plan_parts([(list(range(n_networks)), epochs)] * n_folds, n_workers)
    costs = [stack_cost(len(p), epochs) for fold in parts for p in fold]
    return [[len(p) for p in fold] for fold in parts], makespan(costs, n_workers)


@pytest.mark.parametrize(
    "n_folds, n_workers, stacks",
    [
        (3, 1, [[8], [8], [8]]),
        # One fold split in two: both workers busy to the end.
        (3, 2, [[4, 4], [8], [8]]),
        (5, 2, [[4, 4], [8], [8], [8], [8]]),
        (5, 4, [[2, 2, 2, 2], [8], [8], [8], [8]]),
        # Splitting one fold alone would not help: both at once.
        (2, 4, [[4, 4], [4, 4]]),
        (3, 4, [[8], [8], [8]]),
        (3, 32, [[1] * 8] * 3),
    ],
)
def test_each_fold_is_split_on_its_own(n_folds, n_workers, stacks):
    # Which of equal folds is split does not matter.
    assert sorted(_plan(n_folds, n_workers)[0]) == sorted(stacks)


def test_a_short_unit_is_split_where_that_helps_most():
    # Two long stacks, one per worker; the short one's networks go one to each.
    units = [([0, 1], 40), (list(range(8)), 40), (list(range(8, 16)), 40)]
    assert plan_parts(units, 2) == [[[0], [1]], [units[1][0]], [units[2][0]]]


def test_makespan_hands_the_longest_task_out_first():
    assert makespan([1, 1, 2], 2) == 2  # shortest first would take 3
    assert makespan([3, 2, 2, 1], 2) == 4
    assert makespan([], 3) == 0


def test_split_makes_nearly_equal_runs_in_order():
    assert split([0, 1, 2, 3, 4], 2) == [[0, 1], [2, 3, 4]]
    assert split(list(range(8)), 3) == [[0, 1, 2], [3, 4], [5, 6, 7]]
    assert split([0, 1], 3) == [[0], [1]]  # never an empty stack


@pytest.mark.parametrize(
    "n_folds, n_workers, n_networks",
    list(itertools.product([2, 3, 5], [1, 2, 3, 4, 8, 16, 32], [1, 3, 8, 20])),
)
def test_the_plan_is_never_slower_than_splitting_every_fold_alike(
    n_folds, n_workers, n_networks
):
    stacks, planned = _plan(n_folds, n_workers, n_networks)
    members = list(range(n_networks))
    for fold in stacks:
        assert sum(fold) == n_networks and max(fold) <= 32
    alike = min(
        makespan(
            [stack_cost(len(p), 40) for p in split(members, n)] * n_folds, n_workers
        )
        for n in range(1, n_networks + 1)
    )
    assert planned <= alike + 1e-9


def test_a_stack_is_at_most_max_stack_networks():
    (stacks,) = plan_parts([(list(range(70)), 5)], 1)
    assert [len(s) for s in stacks] == [23, 24, 23]
    assert plan_parts([], 4) == []


def test_halving_on_two_workers_equals_scikit_learns(digits, capsys, monkeypatch):
    # Round one's 8 networks of 3 folds on 2 workers: 4 stacks, one fold's
    # networks in two halves. The learning rates alternate small and large,
    # so the survivors (the larger ones) come from both halves there: a later
    # round goes on from two stacks saved on that fold, one on the others.
    X, y = digits
    X, y = X[:540], y[:540]
    alphas = [ALPHAS[i] for i in (0, 7, 1, 6, 2, 5, 3, 4)]
    planned = []
    real = engine._Evaluation._tasks

    def recorded(self, groups, splits):
        tasks = real(self, groups, splits)
        planned.append([(split, id(state)) for _, split, state in tasks])
        return tasks

    monkeypatch.setattr(engine._Evaluation, "_tasks", recorded)
    estimator = NumpyMLPClassifier(random_state=0, tol=None)
    theirs, ours = _both(
        HalvingGridSearchCV,
        MLPHalvingGridSearchCV,
        estimator,
        X,
        y,
        n_jobs=2,
        verbose=1,
        **dict(HALVING, param_grid={"alpha": alphas}),
    )
    rounds = [
        line for line in capsys.readouterr().out.splitlines() if "group(s) in" in line
    ]
    assert len(rounds) == 4
    assert rounds[0].endswith("in 4 stack(s) over the folds")
    # Round two: on one fold, its survivors go on from two saved stacks.
    saved_per_fold = [
        len({state for split, state in planned[1] if split == fold})
        for fold in range(3)
    ]
    assert sorted(saved_per_fold) == [1, 1, 2]
    assert_equal_searches(theirs, ours)
