"""How a search's groups become tasks: stacks sized so that every worker is busy.

A group of candidates (see ``tasks.py``) trains as one stack per fold. When
there are fewer such tasks than workers, or they do not share out evenly,
a group's networks are split into smaller stacks: the same networks, the
same results, more tasks. A stack is also bounded in size
(:data:`MAX_STACK`): past it a network costs little less (measured by
``benchmarks/bench_search.py --stack-sizes``), and its memory grows.

In a halving search, a group's survivors go on from the stacks that the
round before saved: the networks of one saved stack stay together, and only
such a part may be split further.
"""

from math import ceil

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
    loads = np.zeros(max(1, n_workers))
    for cost in sorted(costs, reverse=True):
        loads[np.argmin(loads)] += cost
    return loads.max()


def split(members, n_parts):
    """Split a list into ``n_parts`` nearly equal runs, in order."""
    bounds = np.linspace(0, len(members), n_parts + 1).round().astype(int)
    return [members[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def plan_parts(units, n_splits, n_workers, max_stack=MAX_STACK):
    """Split each unit's members into stacks so that the workers finish soonest.

    Parameters
    ----------
    units : list of (list, int)
        Networks that may share a stack (one group's, or those of one saved
        stack), and the epochs they train.
    n_splits : int
        The folds: each part trains once per fold.
    n_workers : int

    Returns
    -------
    parts : list of list of list
        For each unit, its members split into stacks.
    """
    n_parts = [max(1, ceil(len(members) / max_stack)) for members, _ in units]

    def cost(counts):
        costs = [
            stack_cost(len(part), epochs)
            for (members, epochs), n in zip(units, counts)
            for part in split(members, n)
        ]
        return makespan(costs * n_splits, n_workers)

    best = cost(n_parts)
    while True:
        # Split further the unit whose stacks are the most expensive.
        candidates = [
            i for i, (members, _) in enumerate(units) if n_parts[i] < len(members)
        ]
        if not candidates:
            break
        i = max(candidates, key=lambda i: units[i][1] * len(units[i][0]) / n_parts[i])
        trial = list(n_parts)
        trial[i] += 1
        trial_cost = cost(trial)
        if trial_cost >= best:
            break
        n_parts, best = trial, trial_cost
    return [split(members, n) for (members, _), n in zip(units, n_parts)]
