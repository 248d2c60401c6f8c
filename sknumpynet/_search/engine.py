"""The engine under every search of this package: scikit-learn's loop, our evaluation.

scikit-learn's searches share one ``fit`` (``BaseSearchCV.fit``) that hands
an ``evaluate_candidates`` function to each class's ``_run_search``:
GridSearchCV's evaluates its grid, RandomizedSearchCV's its sample, the
successive-halving searches' evaluate round after round. :class:`PathSearch`
is that ``fit`` with another ``evaluate_candidates``: the candidates split
into groups that train as stacks along paths of epochs (``tasks.py``), the
stacks sized so that every worker is busy (``plan.py``), and, where a round
of halving raises the epochs, each survivor goes on from where the round
before left it. Each search class is then scikit-learn's class with this
engine below it (``grid.py``, ``halving.py``): its parameters, candidates,
``cv_results_`` and attributes are scikit-learn's.
"""

import time
from collections import defaultdict
from inspect import signature

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import _fit_context, clone, is_classifier
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._split import check_cv
from sklearn.model_selection._validation import (
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils import indexable
from sklearn.utils.validation import _check_method_params

from .plan import plan_parts, stack_cost
from .tasks import evaluate_group, final_step, group_candidates

# Set by scikit-learn's callback machinery during a fit; a rollback keeps them.
_CALLBACK_KEYS = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


class PathSearch(BaseSearchCV):
    """``BaseSearchCV.fit`` whose candidates train as stacks along paths of epochs.

    Not for direct use: a search class puts scikit-learn's class first,
    this second (``class MLPGridSearchCV(GridSearchCV, PathSearch)``), so
    that scikit-learn's ``_run_search`` drives this ``fit``.
    """

    def _continues(self):
        """Whether the candidates of a later round go on from an earlier one's."""
        return False

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        **params : dict of str -> object
            Parameters of the estimator's ``fit`` (``sample_weight``, sliced
            per fold as scikit-learn slices it), of the scorer, and
            ``groups`` for the CV splitter.

        Returns
        -------
        self : object
            The fitted search.
        """
        before = dict(self.__dict__)
        try:
            return self._fit(X, y, params)
        except BaseException:  # Ctrl-C included: the search stays as it was
            kept = {k: self.__dict__[k] for k in _CALLBACK_KEYS if k in self.__dict__}
            self.__dict__.clear()
            self.__dict__.update(before, **kept)
            raise

    def _fit(self, X, y, params):
        final_step(self.estimator)  # a network, or a Pipeline ending in one
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed = self._get_routed_params_for_fit(params)
        sample_weight = params.get("sample_weight")
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        root = None
        if hasattr(self, "_init_callback_context"):  # scikit-learn >= 1.9
            root = self._init_callback_context(
                max_subtasks=1 + (self.refit is not False)
            ).call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        self._checked_cv_orig = check_cv(
            self.cv, y, classifier=is_classifier(self.estimator)
        )
        if hasattr(self, "_check_input_parameters"):  # the halving searches'
            self._check_input_parameters(X=X, y=y, split_params=routed.splitter.split)
        self.n_splits_ = self._checked_cv_orig.get_n_splits(
            X, y, **routed.splitter.split
        )
        evaluate = _Evaluation(self, X, y, scorers, routed)
        if "callback_ctx" in signature(self._run_search).parameters:
            self._run_search(evaluate, callback_ctx=root)
        else:  # scikit-learn before 1.9: no callbacks
            self._run_search(evaluate)
        results = evaluate.results
        self.multimetric_ = isinstance(evaluate.out[0]["test_scores"], dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(evaluate.out[0]["test_scores"])
            refit_metric = self.refit
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, results
            )
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][
                    self.best_index_
                ]
            self.best_params_ = results["params"][self.best_index_]
        if self.refit:
            self._refit(X, y, routed, root, metadata)
        self.scorer_ = (
            scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
        )
        self.cv_results_ = results
        if root is not None:
            root.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)
        return self

    def _refit(self, X, y, routed, root, metadata):
        """Fit ``best_params_`` on the whole data, as scikit-learn does."""
        self.best_estimator_ = clone(self.estimator).set_params(
            **clone(self.best_params_, safe=False)
        )
        context = None
        if root is not None:
            context = root.subcontext(task_name="refit-with-best-params")
            with context.propagate_callback_context(self.best_estimator_):
                context.call_on_fit_task_begin(
                    estimator=self, X=X, y=y, metadata=metadata
                )
                self._refit_time(X, y, routed)
            context.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)
        else:
            self._refit_time(X, y, routed)
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_

    def _refit_time(self, X, y, routed):
        start = time.time()
        if y is not None:
            self.best_estimator_.fit(X, y, **routed.estimator.fit)
        else:
            self.best_estimator_.fit(X, **routed.estimator.fit)
        self.refit_time_ = time.time() - start


class _Evaluation:
    """The ``evaluate_candidates`` a search's ``_run_search`` calls, round by round.

    It accumulates every round's results as scikit-learn's does, and keeps
    the stacks each round saved for the next one to go on from.
    """

    def __init__(self, search, X, y, scorers, routed):
        self.search, self.X, self.y = search, X, y
        self.scorers, self.routed = scorers, routed
        self.candidates, self.out = [], []
        self.more_results = defaultdict(list)
        self.results = {}
        self.saved = {}  # (group key, fold) -> [(train indices, StackState)]

    def __call__(self, candidate_params, cv=None, more_results=None, callback_ctx=None):
        search = self.search
        cv = cv or search._checked_cv_orig
        candidates = list(candidate_params)
        splits = list(cv.split(self.X, self.y, **self.routed.splitter.split))
        if len(splits) != search.n_splits_:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {search.n_splits_} splits, got {len(splits)}"
            )
        groups = group_candidates(search.estimator, candidates)
        tasks = self._tasks(groups, splits)
        if search.verbose > 0:
            print(
                f"Fitting {len(splits)} folds for each of {len(candidates)} "
                f"candidates, totalling {len(candidates) * len(splits)} fits, "
                f"as {len(groups)} group(s) in {len(tasks)} stack(s) over the folds"
            )
        out = self._run(tasks, splits, candidates, callback_ctx)
        if not out:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? Were there "
                "no candidates?"
            )
        _warn_or_raise_about_fit_failures(out, search.error_score)
        if callable(search.scoring):
            _insert_error_scores(out, search.error_score)
        self.candidates.extend(candidates)
        self.out.extend(out)
        for key, value in (more_results or {}).items():
            self.more_results[key].extend(value)
        self.results = search._format_results(
            self.candidates, search.n_splits_, self.out, self.more_results
        )
        return self.results

    def _tasks(self, groups, splits):
        """Return ``(group or a part, fold, resume)`` of every stack, longest first."""
        units, owners, tasks = [], [], []
        for group in groups:
            if group.alone:  # fitted one by one, as scikit-learn fits them
                tasks += [(group, split, None) for split in range(len(splits))]
                continue
            epochs = max(e for *_, e in group.entries)
            for split in range(len(splits)):
                for members in self._origins(group, split):
                    units.append((members, epochs))
                    owners.append((group, split))
        parts = plan_parts(units, effective_n_jobs(self.search.n_jobs))
        for (group, split), unit_parts in zip(owners, parts):
            for members in unit_parts:
                part = group.part(members)
                train = splits[split][0]
                tasks.append((part, split, self._resume(part, split, train)))
        # joblib hands tasks out in order: the longest first finishes soonest.
        return sorted(tasks, key=lambda task: -_cost(task[0]))

    def _origins(self, group, split):
        """Split a group's members by the stack saved on this fold they are in."""
        saved = self.saved.get((group.key, split), [])
        origins, rest = defaultdict(list), []
        for member in group.members:
            for i, (_, state) in enumerate(saved):
                if _holds(state, member):
                    origins[i].append(member)
                    break
            else:
                rest.append(member)
        return [*origins.values(), *([rest] if rest else [])]

    def _resume(self, part, split, train):
        """Return the stack saved on this fold, on the same rows, holding ``part``."""
        for rows, state in self.saved.get((part.key, split), []):
            if np.array_equal(rows, train) and all(
                _holds(state, m) for m in part.members
            ):
                return state
        return None

    def _run(self, tasks, splits, candidates, callback_ctx):
        """Run the tasks in parallel; return the results in candidate order."""
        search = self.search
        keep = search._continues()
        parallel = Parallel(
            n_jobs=search.n_jobs,
            pre_dispatch=getattr(search, "pre_dispatch", "2*n_jobs"),
            return_as="generator",
        )
        # The folds' rows and the saved stacks go in tuples: joblib's dask
        # backend scatters a large argument to one worker, whose death would
        # lose it, where a tuple travels with its task. (X and y are the
        # user's to scatter to every worker: joblib.parallel_backend("dask",
        # scatter=[X, y]).)
        returned = parallel(
            delayed(evaluate_group)(
                search.estimator,
                self.X,
                self.y,
                splits[split],
                part,
                scorer=self.scorers,
                fit_params=self.routed.estimator.fit,
                score_params=self.routed.scorer.score,
                return_train_score=search.return_train_score,
                error_score=search.error_score,
                verbose=search.verbose,
                split_progress=(split, len(splits)),
                n_candidates=len(candidates),
                resume=(resume,),
                keep=keep,
            )
            for part, split, resume in tasks
        )
        out = [None] * (len(candidates) * len(splits))
        saved = defaultdict(list)
        # In task order, each as soon as it is ready.
        for (part, split, _), (results, state) in zip(tasks, returned):
            if state is not None:
                saved[part.key, split].append((splits[split][0], state))
            for index, result in results:
                out[index * len(splits) + split] = result
                if callback_ctx is not None:
                    task = callback_ctx.subcontext(
                        task_name="candidate-split-evaluation",
                        task_id=index * len(splits) + split,
                    )
                    task.call_on_fit_task_begin(estimator=search)
                    task.call_on_fit_task_end(estimator=search)
        self.saved = dict(saved)
        return out if tasks else []


def _cost(group):
    epochs = max(e for *_, e in group.entries)
    return 0.0 if group.alone else stack_cost(len(group.members), epochs)


def _holds(state, member):
    """Whether a saved stack holds the network of ``member``'s settings."""
    return any(all(p.get(k) == v for k, v in member.items()) for p in state.params)
