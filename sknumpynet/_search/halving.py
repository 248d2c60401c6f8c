"""Successive halving that goes on training: each round continues its survivors.

scikit-learn's successive halving with an iteration count as the resource
trains every surviving candidate from scratch at every round. Here the
resource is ``epochs`` by default, and a network trained to ``e`` epochs
in one round goes on to the next round's count from where it stopped
(weights, optimizer state, schedule, shuffling order, early-stopping and
convergence bookkeeping): the same model as ``fit(epochs=e')``, for the
epochs the round adds. The rounds, the candidates they keep and
``cv_results_`` are scikit-learn's (``HalvingGridSearchCV``'s own
``_run_search``); only its resource default, ``max_resources='auto'`` (the
estimator's ``epochs``) and the continuation are this module's, so that a
change of scikit-learn's non-sample resources stays a change here.
"""

import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV
from sklearn.model_selection._split import _yields_constant_splits

from .engine import PathSearch
from .grid import _ESTIMATOR, _HOW


class _EpochsResource:
    """The epochs resource: continuation, and ``max_resources='auto'``.

    Before scikit-learn's halving class in the bases, so that its checks
    give way to these; :class:`PathSearch` after it, under its ``fit``.
    """

    def _continues(self):
        return self.resource != "n_samples" and self.resource.endswith("epochs")

    def _check_input_parameters(self, X, y, split_params):
        if self.resource == "n_samples" or self.max_resources != "auto":
            return super()._check_input_parameters(X, y, split_params)
        # scikit-learn's checks, with the estimator's own value of the
        # resource (its epochs) as max_resources='auto'.
        if not _yields_constant_splits(self._checked_cv_orig):
            raise ValueError(
                "The cv parameter must yield consistent folds across calls to "
                "split(). Set its random_state to an int, or set shuffle=False."
            )
        params = self.estimator.get_params()
        if self.resource not in params:
            raise ValueError(
                f"Cannot use resource={self.resource} which is not supported by "
                f"estimator {type(self.estimator).__name__} (in a Pipeline, name "
                "the network's step: resource='STEP__epochs')."
            )
        if self.min_resources == getattr(self, "n_candidates", None) == "exhaust":
            raise ValueError(
                "n_candidates and min_resources cannot be both set to 'exhaust'."
            )
        self.max_resources_ = params[self.resource]
        self.min_resources_ = self.min_resources
        if self.min_resources_ in ("smallest", "exhaust"):
            self.min_resources_ = 1
        if self.min_resources_ > self.max_resources_:
            raise ValueError(
                f"min_resources_={self.min_resources_} is greater than "
                f"max_resources_={self.max_resources_}."
            )


_HALVING = """
    Each round scores its candidates at its number of epochs and keeps the
    best ``1 / factor``; the next round trains the survivors on from where
    the round left them (with ``resource='epochs'``, the default), so that a
    survivor's epochs are trained once over all the rounds. Within a round
    the candidates train as scikit-learn's grid search would have them here:
"""

_PARAMETERS = """
    resource : str, default='epochs'
        As in scikit-learn, with the network's ``epochs`` as the default
        (``'STEP__epochs'`` for a Pipeline whose network is ``STEP``); with
        ``'n_samples'`` each round trains afresh on more samples (still as
        stacks).
    max_resources : int or 'auto', default='auto'
        The most epochs (or samples) a candidate gets: with 'auto', the
        estimator's ``epochs`` (or all the samples).
    factor, min_resources, aggressive_elimination, cv, scoring, refit, \
error_score, return_train_score, random_state, n_jobs, verbose
        As in scikit-learn.

    Attributes
    ----------
    cv_results_, n_resources_, n_candidates_, n_remaining_candidates_, \
max_resources_, min_resources_, n_iterations_, n_possible_iterations_, \
n_required_iterations_, best_estimator_, best_score_, best_params_, \
best_index_, scorer_, n_splits_, refit_time_, multimetric_, classes_, \
n_features_in_, feature_names_in_
        As in scikit-learn; ``cv_results_`` has ``iter`` and
        ``n_resources``. A candidate's ``fit_time`` is its stack's time to
        its epochs in that round (the epochs the round added), divided by
        the networks in the stack.

    Notes
    -----
    The rounds, their candidates and their scores equal scikit-learn's
    over the same estimator and resource, in float32 and float64: the
    model a survivor has after going on to ``e`` epochs is the one that
    ``fit(epochs=e)`` returns.
"""


class MLPHalvingGridSearchCV(_EpochsResource, HalvingGridSearchCV, PathSearch):  # noqa: D101
    __doc__ = (
        """Successive halving over a grid of a network's parameters, training on.

    :class:`~sklearn.model_selection.HalvingGridSearchCV` (a subclass: the
    same interface, rounds and results) for a :class:`NumpyMLPClassifier`,
    a :class:`NumpyMLPRegressor` or a :class:`~sklearn.pipeline.Pipeline`
    that ends in one.
"""
        + _HALVING
        + _HOW
        + _ESTIMATOR
        + """
    param_grid : dict or list of dict
        As in HalvingGridSearchCV."""
        + _PARAMETERS
        + """
    See Also
    --------
    sklearn.model_selection.HalvingGridSearchCV : The same rounds, every
        survivor trained from scratch.
    MLPGridSearchCV : Every candidate, to every epoch count asked for.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknumpynet import MLPHalvingGridSearchCV, NumpyMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> search = MLPHalvingGridSearchCV(
    ...     NumpyMLPClassifier(random_state=0, tol=None, epochs=8),
    ...     {"alpha": [0.003, 0.01, 0.03, 0.1]},
    ...     min_resources=2,
    ...     factor=2,
    ...     cv=3,
    ... ).fit(X / 16, y)
    >>> search.n_resources_, search.n_candidates_
    ([2, 4, 8], [4, 2, 1])
    """
    )

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        factor=3,
        resource="epochs",
        max_resources="auto",
        min_resources="exhaust",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            param_grid,
            factor=factor,
            resource=resource,
            max_resources=max_resources,
            min_resources=min_resources,
            aggressive_elimination=aggressive_elimination,
            cv=cv,
            scoring=scoring,
            refit=refit,
            error_score=error_score,
            return_train_score=return_train_score,
            random_state=random_state,
            n_jobs=n_jobs,
            verbose=verbose,
        )


class MLPHalvingRandomSearchCV(_EpochsResource, HalvingRandomSearchCV, PathSearch):  # noqa: D101
    __doc__ = (
        """Successive halving over sampled network parameters, training on.

    :class:`~sklearn.model_selection.HalvingRandomSearchCV` (a subclass:
    the same interface, candidates, rounds and results) for a
    :class:`NumpyMLPClassifier`, a :class:`NumpyMLPRegressor` or a
    :class:`~sklearn.pipeline.Pipeline` that ends in one.
"""
        + _HALVING
        + _HOW
        + _ESTIMATOR
        + """
    param_distributions : dict or list of dict
        As in HalvingRandomSearchCV.
    n_candidates : int or 'exhaust', default='exhaust'
        As in HalvingRandomSearchCV."""
        + _PARAMETERS
        + """
    See Also
    --------
    sklearn.model_selection.HalvingRandomSearchCV : The same rounds, every
        survivor trained from scratch.
    MLPRandomizedSearchCV : Every sampled candidate, to its epochs.
    """
    )

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_candidates="exhaust",
        factor=3,
        resource="epochs",
        max_resources="auto",
        min_resources="smallest",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_candidates=n_candidates,
            factor=factor,
            resource=resource,
            max_resources=max_resources,
            min_resources=min_resources,
            aggressive_elimination=aggressive_elimination,
            cv=cv,
            scoring=scoring,
            refit=refit,
            error_score=error_score,
            return_train_score=return_train_score,
            random_state=random_state,
            n_jobs=n_jobs,
            verbose=verbose,
        )
