"""How a search's groups become tasks: stacks sized so that every worker is busy.

A group of candidates (see ``tasks.py``) trains as one stack per fold. When
there are fewer such tasks than workers, or they do not share out evenly,
a group's networks are split into smaller stacks: the same networks, the
same results, more tasks. A stack is also bounded in size
(:data:`MAX_STACK`): past it a network costs little less (measured by
``benchmarks/bench_search.py --stack-sizes``), and its memory grows.

Each fold is planned on its own: a fold's networks may share one stack
where another fold's are split. In a halving search, a group's survivors
go on from the stacks that the round before saved on that fold: the
networks of one saved stack stay together, and only such a part may be
split further.
"""

import heapq
from math import ceil
from typing import NamedTuple

import numpy as np

# Networks per stack, at most. Measured (benchmarks/bench_search.py
# --stack-sizes: a 784-10-10 network on 20,000 MNIST rows, float32, one BLAS
# thread), a network's epoch costs 1.0, 0.68, 0.46, 0.35, 0.31, 0.29 and
# 0.26 of its cost alone in stacks of 1, 2, 4, 8, 16, 32 and 64: past 32 it
# falls by under 4 %, while a stack's memory grows with every network.
MAX_STACK = 32
# The share of a network's cost alone that it costs in a stack of m:
# FIXED + SHARED / m (the per-batch work of Python and of the batch's gather
# is paid once per stack, the arithmetic per network), fitted to the above.
FIXED, SHARED = 0.27, 0.73


def stack_cost(n_networks, epochs):
    """Return the cost of a stack of ``n_networks`` trained ``epochs`` epochs."""
    return epochs * n_networks * (FIXED + SHARED / n_networks)


def makespan(costs, n_workers):
    """Return how long the tasks take on ``n_workers``, handed out longest first."""
    loads = [0.0] * max(1, n_workers)
    for cost in sorted(costs, reverse=True):
        heapq.heapreplace(loads, loads[0] + cost)
    return max(loads)


def split(members, n_parts):
    """Split a list into ``n_parts`` nearly equal runs, in order."""
    bounds = np.linspace(0, len(members), n_parts + 1).round().astype(int)
    return [members[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def plan_parts(units, n_workers, max_stack=MAX_STACK):
    """Split each unit's members into stacks so that the workers finish soonest.

    A unit is one fold's: the folds of a group are split apart, so that
    three folds on two workers become one stack on each worker and the
    third fold's networks in two halves, one on each (a makespan of 1.6
    stacks of 8 against 1.9 when every fold is split alike).

    Parameters
    ----------
    units : list of (list, int)
        Networks that may share a stack on one fold (one group's, or those
        of one stack saved there), and the epochs they train.
    n_workers : int

    Returns
    -------
    parts : list of list of list
        For each unit, its members split into stacks.
    """

    def score(counts):
        costs = [
            stack_cost(len(part), epochs)
            for (members, epochs), n in zip(units, counts)
            for part in split(members, n)
        ]
        return _Plan(makespan(costs, n_workers), sum(costs), counts)

    def refine(counts):
        # Split one unit once more while that finishes sooner.
        best = score(counts)
        while True:
            trials = [
                score([n + (i == j) for j, n in enumerate(best.counts)])
                for i, (members, _) in enumerate(units)
                if best.counts[i] < len(members)
            ]
            trial = min(trials, default=best)
            if (trial.makespan, trial.work) >= (best.makespan, best.work):
                return best
            best = trial

    def alike(n):
        # Every unit in n stacks (as few as it has networks, at most max_stack each).
        return [min(len(m), max(n, ceil(len(m) / max_stack))) for m, _ in units]

    # Refined from every fold split alike into n stacks, for every n: one
    # split at a time can stop short (from whole folds, no single split helps
    # 32 workers, which want stacks of one). Splitting only adds work: once
    # the work alone, shared out perfectly, takes longer than the best plan
    # so far, no larger n can do better.
    best = refine(alike(1))
    for n in range(2, max((len(m) for m, _ in units), default=1) + 1):
        if score(alike(n)).work / n_workers >= best.makespan:
            break
        best = min(best, refine(alike(n)))
    return [split(members, n) for (members, _), n in zip(units, best.counts)]


class _Plan(NamedTuple):
    """A plan's makespan, its work in all, and each unit's number of stacks.

    Plans compare by makespan first, then (of equal ones) by the least work,
    then by their counts (so that of equal plans the same one is chosen).
    """

    makespan: float
    work: float
    counts: list
