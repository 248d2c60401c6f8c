"""MLPGridSearchCV and MLPRandomizedSearchCV: scikit-learn's searches, as stacks.

Each is scikit-learn's class (its parameters, candidates, ``cv_results_``
and attributes) with the engine of ``engine.py`` below it.
"""

from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from .engine import PathSearch

_HOW = """
    * **A path over epochs.** The ``epochs`` values of the candidates are
      checkpoints of one training run: each fold trains to the largest count
      once and scores the model that ``fit(epochs=e)`` returns at every
      count ``e`` asked for (with early stopping, its best epoch so far;
      after a convergence stop, the stopped model).
    * **A stack over step sizes.** Candidates that differ only in
      ``alpha``, ``l2``, ``momentum``, ``power_t``, ``beta_1`` or ``beta_2``
      train side by side as one stack of networks: each minibatch is
      gathered once and each layer is one stacked product. Each network
      keeps its own step, its own convergence and early-stopping
      bookkeeping, and fails on its own (``error_score``, with scikit-learn's
      ``FitFailedWarning``).
    * **Groups for the rest.** The other parameters (the layer sizes, the
      solver, the batch size, ``random_state``, dropout, the parameters of
      earlier Pipeline steps) split the candidates into groups; each group of
      each fold is one stacked path (split into smaller stacks when the
      stacks are fewer than the workers, or share out unevenly: the same
      networks, more tasks), and the earlier steps of a Pipeline are fitted
      once per stack and fold. The stacks run in parallel through joblib
      (``n_jobs``, any joblib backend: a dask cluster's workers count).
      L-BFGS candidates are fitted one by one, as scikit-learn fits them.
"""

_ESTIMATOR = """
    Parameters
    ----------
    estimator : NumpyMLPClassifier, NumpyMLPRegressor or Pipeline
        The network to search, or a Pipeline that ends in one."""

_COMMON = """
    verbose : int
        As in scikit-learn: ``verbose > 1`` prints its line per candidate
        and fold (with the scores at ``verbose > 2``; the time is the
        candidate's share of its stack's); ``verbose > 0`` also says how many
        groups and stacks train. scikit-learn's callbacks (``set_callbacks``,
        1.9) see its tasks, each evaluation as its stack's fold returns.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in scikit-learn, the candidates in the same order. A candidate's
        ``fit_time`` is its stack's training time to its epoch count,
        divided by the number of networks in the stack.
    best_estimator_, best_score_, best_params_, best_index_, scorer_, \
n_splits_, refit_time_, multimetric_, classes_, n_features_in_, \
feature_names_in_
        As in scikit-learn; ``best_estimator_`` is a plain fit of
        ``best_params_`` on the whole data.

    Notes
    -----
    The results equal scikit-learn's over the same estimator, in float32
    and float64: the networks of a stack compute the same products as
    separate fits, in the same order and precision, from the same random
    draws. A validation set passed as ``X_val``/``y_val`` is used by every
    fold as it is (it is not split); ``transform_input`` of a Pipeline is
    not applied to it. A search interrupted (Ctrl-C) or failing leaves the
    object as it was.
"""


class MLPGridSearchCV(GridSearchCV, PathSearch):  # noqa: D101
    __doc__ = (
        """Exhaustive search over a grid of a network's parameters, trained along paths.

    The interface and the results of
    :class:`~sklearn.model_selection.GridSearchCV` (it is a subclass: swap
    the class name and nothing else changes) for a
    :class:`NumpyMLPClassifier`, a :class:`NumpyMLPRegressor` or a
    :class:`~sklearn.pipeline.Pipeline` that ends in one. The work differs:
"""
        + _HOW
        + _ESTIMATOR
        + """
    param_grid : dict or list of dict
        As in GridSearchCV.
    scoring, n_jobs, refit, cv, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`."""
        + _COMMON
        + """
    See Also
    --------
    sklearn.model_selection.GridSearchCV : The same search, every candidate
        trained from scratch.
    MLPRandomizedSearchCV : Candidates drawn from distributions.
    MLPHalvingGridSearchCV : Successive halving that goes on training.

    Examples
    --------
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
    )


class MLPRandomizedSearchCV(RandomizedSearchCV, PathSearch):  # noqa: D101
    __doc__ = (
        """Randomized search over a network's parameters, trained along paths.

    The interface and the results of
    :class:`~sklearn.model_selection.RandomizedSearchCV` (a subclass: the
    same ``random_state`` draws the same candidates) for a
    :class:`NumpyMLPClassifier`, a :class:`NumpyMLPRegressor` or a
    :class:`~sklearn.pipeline.Pipeline` that ends in one. A learning rate
    drawn from a distribution (``scipy.stats.loguniform``) makes every
    candidate a network of one stack. The work:
"""
        + _HOW
        + _ESTIMATOR
        + """
    param_distributions : dict or list of dict
        As in RandomizedSearchCV.
    n_iter, scoring, n_jobs, refit, cv, pre_dispatch, random_state, \
error_score, return_train_score
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`."""
        + _COMMON
        + """
    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : The same search, every
        candidate trained from scratch.
    MLPGridSearchCV : Every candidate of a grid.
    MLPHalvingRandomSearchCV : Successive halving that goes on training.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_digits
    >>> from sknumpynet import MLPRandomizedSearchCV, NumpyMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> search = MLPRandomizedSearchCV(
    ...     NumpyMLPClassifier(random_state=0, tol=None),
    ...     {"alpha": loguniform(0.005, 0.5), "epochs": [2, 5]},
    ...     n_iter=6,
    ...     cv=3,
    ...     random_state=0,
    ... ).fit(X / 16, y)
    >>> len(search.cv_results_["params"])
    6
    """
    )
