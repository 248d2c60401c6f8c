"""MLPGridSearchCV: GridSearchCV that trains each learning rate once per fold.

The interface, the candidates' order and the results are those of
:class:`sklearn.model_selection.GridSearchCV` (this class is one); only the
work differs. See ``tasks.py`` for the groups and
``path.py`` for the path along ``epochs``.
"""

import time
from contextlib import contextmanager

from joblib import Parallel, delayed
from sklearn.base import _fit_context, clone, is_classifier
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection import GridSearchCV, ParameterGrid
from sklearn.model_selection._split import check_cv
from sklearn.model_selection._validation import (
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils import indexable
from sklearn.utils.validation import _check_method_params

from .tasks import evaluate_group, final_step, group_candidates


class _Progress:
    """scikit-learn's callback contexts of a search, as GridSearchCV opens them.

    A no-op where scikit-learn has no callbacks (before 1.9). The search's
    candidates and splits are reported as their group's task returns, so a
    ``ProgressBar`` advances a group and fold at a time.
    """

    def __init__(self, search, X, y, sample_weight):
        self.search = search
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.X, self.y = X, y
        self.ctx = None
        if hasattr(search, "_init_callback_context"):
            self.ctx = search._init_callback_context(
                max_subtasks=1 + (search.refit is not False)
            ).call_on_fit_task_begin(estimator=search, X=X, y=y, metadata=self.metadata)

    def begin_search(self, n_evaluations):
        if self.ctx is None:
            return None
        return self.ctx.subcontext(
            task_name="search", max_subtasks=n_evaluations, sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self.search)

    @contextmanager
    def refit(self, best):
        """Report the refit of ``best``, as GridSearchCV reports its own."""
        if self.ctx is None:
            yield
            return
        refit_ctx = self.ctx.subcontext(task_name="refit-with-best-params")
        with refit_ctx.propagate_callback_context(best):
            refit_ctx.call_on_fit_task_begin(
                estimator=self.search, X=self.X, y=self.y, metadata=self.metadata
            )
            yield
        refit_ctx.call_on_fit_task_end(
            estimator=self.search, X=self.X, y=self.y, metadata=self.metadata
        )

    def end(self, ctx=None):
        """End a sub-context, or with none given the whole search's."""
        if self.ctx is None:
            return
        if ctx is None:
            ctx, kwargs = (
                self.ctx,
                {"X": self.X, "y": self.y, "metadata": self.metadata},
            )
        else:
            kwargs = {}
        ctx.call_on_fit_task_end(estimator=self.search, **kwargs)


class MLPGridSearchCV(GridSearchCV):
    """Exhaustive search over a grid of a network's parameters, trained along paths.

    The interface and the results of
    :class:`~sklearn.model_selection.GridSearchCV` (it is a subclass: swap
    the class name and nothing else changes) for a
    :class:`NumpyMLPClassifier`, a :class:`NumpyMLPRegressor` or a
    :class:`~sklearn.pipeline.Pipeline` that ends in one. The work differs:

    * **A path over epochs.** The ``epochs`` values of the grid are
      checkpoints of one training run: each fold trains to the largest count
      once and scores the model that ``fit(epochs=e)`` returns at every
      count ``e`` asked for (with early stopping, its best epoch so far;
      after a convergence stop, the stopped model).
    * **A stack over step sizes.** Candidates that differ only in
      ``alpha``, ``l2``, ``momentum``, ``power_t``, ``beta_1`` or ``beta_2``
      train side by side as one stack of networks: each minibatch is
      gathered once and each layer is one stacked product. Each network
      keeps its own step, its own convergence and early-stopping
      bookkeeping, and fails on its own (``error_score``, with
      GridSearchCV's ``FitFailedWarning``).
    * **Groups for the rest.** The other parameters (the layer sizes, the
      solver, the batch size, ``random_state``, dropout, the parameters of
      earlier Pipeline steps) split the grid into groups; each group of each
      fold is one stacked path, and the earlier steps of a Pipeline are
      fitted once per group and fold. Groups x folds run in parallel through
      joblib (``n_jobs``, any joblib backend). L-BFGS candidates are fitted
      one by one, as GridSearchCV fits them.

    Parameters
    ----------
    estimator : NumpyMLPClassifier, NumpyMLPRegressor or Pipeline
        The network to search, or a Pipeline that ends in one.
    param_grid : dict or list of dict
        As in GridSearchCV.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, \
return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. ``verbose > 1``
        prints GridSearchCV's line per candidate and fold (with the scores
        at ``verbose > 2``; the time is the candidate's share of its
        stack's) and a line per group and fold: what trained, to which
        epochs, and how long it took. scikit-learn's callbacks (``set_callbacks``, 1.9)
        see GridSearchCV's tasks, each evaluation as its group's fold
        returns.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in GridSearchCV, the candidates in the same order. A candidate's
        ``fit_time`` is its stack's training time to its epoch count,
        divided by the number of networks in the stack.
    best_estimator_, best_score_, best_params_, best_index_, scorer_, \
n_splits_, refit_time_, multimetric_, classes_, n_features_in_, \
feature_names_in_
        As in GridSearchCV; ``best_estimator_`` is a plain fit of
        ``best_params_`` on the whole data.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : The same search, every candidate
        trained from scratch.

    Notes
    -----
    The results equal GridSearchCV's over the same estimator, in float32
    and float64: the networks of a stack compute the same products as
    separate fits, in the same order and precision, from the same random
    draws. A ``validation``
    set passed as ``X_val``/``y_val`` is used by every fold as it is (it is
    not split); ``transform_input`` of a Pipeline is not applied to it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sknumpynet import MLPGridSearchCV, NumpyMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> search = MLPGridSearchCV(
    ...     NumpyMLPClassifier(random_state=0, tol=None),
    ...     {"alpha": [0.01, 0.1], "epochs": [2, 5]},
    ...     cv=3,
    ... ).fit(X / 16, y)
    >>> sorted(search.best_params_)
    ['alpha', 'epochs']
    """

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
            per fold as GridSearchCV slices it), of the scorer, and
            ``groups`` for the CV splitter.

        Returns
        -------
        self : object
            The fitted search.
        """
        final_step(self.estimator)  # a network, or a Pipeline ending in one
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed = self._get_routed_params_for_fit(params)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = cv.get_n_splits(X, y, **routed.splitter.split)
        splits = list(cv.split(X, y, **routed.splitter.split))
        candidates = list(ParameterGrid(self.param_grid))
        groups = group_candidates(self.estimator, candidates)
        if self.verbose > 0:
            print(
                f"Fitting {self.n_splits_} folds for each of {len(candidates)} "
                f"candidates, totalling {len(candidates) * self.n_splits_} fits, "
                f"as {len(groups)} group(s) x {self.n_splits_} folds of paths"
            )
        root = _Progress(self, X, y, params.get("sample_weight"))
        search_ctx = root.begin_search(len(candidates) * self.n_splits_)
        out = self._evaluate(
            X, y, splits, candidates, groups, scorers, routed, search_ctx
        )
        root.end(search_ctx)
        _warn_or_raise_about_fit_failures(out, self.error_score)
        if callable(self.scoring):
            _insert_error_scores(out, self.error_score)
        results = self._format_results(candidates, self.n_splits_, out)
        self.multimetric_ = isinstance(out[0]["test_scores"], dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(out[0]["test_scores"])
            refit_metric = self.refit
        self._select_best(results, refit_metric)
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(
                **clone(self.best_params_, safe=False)
            )
            with root.refit(self.best_estimator_):
                self._refit(X, y, routed)
        self.scorer_ = (
            scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
        )
        self.cv_results_ = results
        root.end()
        return self

    def _evaluate(self, X, y, splits, candidates, groups, scorers, routed, ctx):
        """Run every group on every fold; return the results in candidate order.

        ``ctx`` (scikit-learn's callback context of the search, or None) is
        told of each candidate and split as its group's task returns.
        """
        tasks = [(group, split) for group in groups for split in enumerate(splits)]
        parallel = Parallel(
            n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch, return_as="generator"
        )
        returned = parallel(
            delayed(evaluate_group)(
                self.estimator,
                X,
                y,
                train,
                test,
                group,
                scorer=scorers,
                fit_params=routed.estimator.fit,
                score_params=routed.scorer.score,
                return_train_score=self.return_train_score,
                error_score=self.error_score,
                verbose=self.verbose,
                split_progress=(split_idx, len(splits)),
                n_candidates=len(candidates),
            )
            for group, (split_idx, (train, test)) in tasks
        )
        out = [None] * (len(candidates) * len(splits))
        # In task order, each as soon as it is ready.
        for (_, (split_idx, _)), results in zip(tasks, returned):
            for index, result in results:
                out[index * len(splits) + split_idx] = result
                if ctx is not None:
                    task = ctx.subcontext(
                        task_name="candidate-split-evaluation",
                        task_id=index * len(splits) + split_idx,
                    )
                    task.call_on_fit_task_begin(estimator=self)
                    task.call_on_fit_task_end(estimator=self)
        if not tasks:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? Were there "
                "no candidates?"
            )
        return out

    def _select_best(self, results, refit_metric):
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, results
            )
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][
                    self.best_index_
                ]
            self.best_params_ = results["params"][self.best_index_]

    def _refit(self, X, y, routed):
        start = time.time()
        if y is not None:
            self.best_estimator_.fit(X, y, **routed.estimator.fit)
        else:
            self.best_estimator_.fit(X, **routed.estimator.fit)
        self.refit_time_ = time.time() - start
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_
