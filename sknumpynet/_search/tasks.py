"""The work of :class:`~sknumpynet.MLPGridSearchCV`: groups of candidates, per fold.

A grid's candidates split into *groups*: those that differ only in the
stackable parameters of the network (``_training.stack.STACKABLE``) and in ``epochs``
share one. Within a group, each distinct setting of the stackable
parameters is a *member* of one stack, and each distinct ``epochs`` a
checkpoint of its path. :func:`evaluate_group` runs one group on one fold
(fits the earlier steps of a Pipeline once, trains the stack once, scores
every candidate's model as ``_fit_and_score`` scores a fit) and returns one
result per candidate in ``_fit_and_score``'s format, which
``GridSearchCV._format_results`` turns into ``cv_results_``.
"""

import numbers
import time
import traceback

from joblib import logger
from sklearn.base import clone
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._validation import _score
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_method_params

from .._estimators.base import STOCHASTIC_SOLVERS, BaseNumpyMLP
from .._training.stack import STACKABLE
from .path import fit_path


def final_step(estimator):
    """Return the network and its parameters' prefix (``name__`` in a Pipeline)."""
    if isinstance(estimator, Pipeline):
        name, final = estimator.steps[-1]
        prefix = f"{name}__"
    else:
        final, prefix = estimator, ""
    if not isinstance(final, BaseNumpyMLP):
        raise TypeError(
            "MLPGridSearchCV searches a NumpyMLPClassifier, a NumpyMLPRegressor "
            "or a Pipeline that ends in one; got "
            f"{type(final).__name__}. Use sklearn.model_selection.GridSearchCV "
            "for other estimators."
        )
    return final, prefix


class Group:
    """Candidates that train as one stack: shared parameters, members, checkpoints.

    ``entries`` holds ``(candidate index, member index, epochs)``; ``alone``
    says the candidates are fitted one by one instead (L-BFGS, or a
    parameter value that the estimator refuses).
    """

    def __init__(self, shared, alone=False, key=None):
        self.shared, self.alone, self.key = shared, alone, key
        self.members, self.entries, self.candidates = [], [], {}

    def add(self, index, candidate, member, epochs):
        """Add candidate ``index`` (``candidate``, its parameters) to ``epochs``."""
        if member not in self.members:
            self.members.append(member)
        self.entries.append((index, self.members.index(member), epochs))
        self.candidates[index] = candidate

    def part(self, members):
        """Return the group of ``members`` only (some of this group's), a stack's."""
        part = Group(self.shared, self.alone, self.key)
        for index, j, epochs in self.entries:
            if self.members[j] in members:
                part.add(index, self.candidates[index], self.members[j], epochs)
        return part

    def describe(self):
        """Say what the group trains, for the verbose lines."""
        names = sorted({key for member in self.members for key in member})
        epochs = sorted({e for _, _, e in self.entries})
        return f"{len(self.members)} network(s) ({', '.join(names)}) to {epochs}"


def group_candidates(estimator, candidates):
    """Split the candidates into groups, in the order they first appear."""
    _, prefix = final_step(estimator)
    member_keys = {prefix + key: key for key in (*STACKABLE, "epochs")}
    groups = {}
    for index, candidate in enumerate(candidates):
        shared = {k: v for k, v in candidate.items() if k not in member_keys}
        member = {member_keys[k]: v for k, v in candidate.items() if k in member_keys}
        # The candidate's network, to check its values and read its solver.
        network = clone(estimator).set_params(**candidate)
        network = network.steps[-1][1] if prefix else network
        epochs = member.pop("epochs", network.epochs)
        try:
            network._validate_params()
            alone = network.solver not in STOCHASTIC_SOLVERS
        except Exception:  # fit fails on it: leave that to the fit, alone
            alone = True
        key = repr(sorted(shared.items())) if not alone else ("alone", index)
        group = groups.setdefault(key, Group(shared, alone, key))
        group.add(index, candidate, member, epochs)
    return list(groups.values())


def _split_fit_params(fit_params, prefix):
    """Split routed fit parameters between the earlier steps and the network."""
    if not prefix:
        return {}, dict(fit_params)
    head = {k: v for k, v in fit_params.items() if not k.startswith(prefix)}
    final = {k[len(prefix) :]: v for k, v in fit_params.items() if k.startswith(prefix)}
    return head, final


def _failed(scorer, error_score, return_train_score):
    if isinstance(scorer, _MultimetricScorer) and isinstance(
        error_score, numbers.Number
    ):
        scores = {name: error_score for name in scorer._scorers}
    else:
        scores = error_score
    result = {"test_scores": scores}
    if return_train_score:
        result["train_scores"] = scores.copy() if isinstance(scores, dict) else scores
    return result


def _train(estimator, group, prefix, X_train, y_train, fit_params, resume):
    """Fit the earlier steps once and the network's stack; return the models."""
    head_params, final_params = _split_fit_params(fit_params, prefix)
    head = None
    if prefix:
        head = Pipeline(estimator.steps[:-1])
        X_train = head.fit_transform(X_train, y_train, **head_params)
    final, _ = final_step(estimator)
    if group.alone:
        models, times = [], {}
        for member, (_, _, epochs) in zip(group.members, group.entries):
            start = time.perf_counter()
            model = clone(final).set_params(**member, epochs=epochs)
            models.append({epochs: model.fit(X_train, y_train, **final_params)})
            times[epochs] = time.perf_counter() - start
        return head, models, times, None
    checkpoints = [
        [epochs for _, j, epochs in group.entries if j == member]
        for member in range(len(group.members))
    ]
    return head, *fit_path(
        final, group.members, checkpoints, X_train, y_train, final_params, resume
    )


def _result(model, scorer, error_score, test_set, train_set):
    """Score a model (or report its failure) as ``_fit_and_score`` does."""
    if isinstance(model, Exception):
        if error_score == "raise":
            raise model
        result = _failed(scorer, error_score, train_set is not None)
        result["fit_error"] = "".join(traceback.format_exception(model))
        result["score_time"] = 0.0
        return result
    start = time.perf_counter()
    result = {
        "fit_error": None,
        "test_scores": _score(model, *test_set[:2], scorer, test_set[2], error_score),
    }
    if train_set is not None:
        result["train_scores"] = _score(
            model, *train_set[:2], scorer, train_set[2], error_score
        )
    result["score_time"] = time.perf_counter() - start
    return result


def evaluate_group(
    estimator,
    X,
    y,
    fold,
    group,
    *,
    scorer,
    fit_params,
    score_params,
    return_train_score,
    error_score,
    verbose,
    split_progress,
    n_candidates,
    resume=(None,),
    keep=False,
):
    """Train and score one group (or part of one: a stack) on one fold.

    ``fold`` is the rows ``(train, test)``. ``resume`` holds a stack saved
    by the round before on this fold, to go on from, or None; with
    ``keep``, the stack trained here is saved and returned.

    Returns
    -------
    results : list of (int, dict)
        Each candidate's index and its result, as ``_fit_and_score`` returns.
    saved : StackState or None
    """
    train, test = fold
    estimator = clone(estimator).set_params(**clone(group.shared, safe=False))
    _, prefix = final_step(estimator)
    fit_params = _check_method_params(X, params=fit_params, indices=train)
    score_train = _check_method_params(X, params=score_params, indices=train)
    score_test = _check_method_params(X, params=score_params, indices=test)
    X_train, y_train = _safe_split(estimator, X, y, train)
    X_test, y_test = _safe_split(estimator, X, y, test, train)
    start = time.perf_counter()
    try:
        head, models, times, saved = _train(
            estimator, group, prefix, X_train, y_train, fit_params, resume[0]
        )
    except Exception as exc:
        if error_score == "raise":
            raise
        failed = dict.fromkeys((epochs for *_, epochs in group.entries), exc)
        head, models, times, saved = None, [failed] * len(group.members), {}, None
    elapsed = time.perf_counter() - start
    k = len(group.members)
    test_set = (X_test, y_test, score_test)
    train_set = (X_train, y_train, score_train) if return_train_score else None
    results = []
    for index, j, epochs in group.entries:
        model = models[j][epochs]
        if head is not None and not isinstance(model, Exception):
            model = Pipeline([*head.steps, (prefix[:-2], model)])
        # The stack's time to this checkpoint, shared by its k networks.
        fit_time = times.get(epochs, elapsed) / (1 if group.alone else k)
        result = _result(model, scorer, error_score, test_set, train_set)
        result.update(fit_time=fit_time, n_test_samples=len(test))
        results.append((index, result))
    if verbose > 1:
        split, n_splits = split_progress
        print(
            f"[CV {split + 1}/{n_splits}] {group.describe()}: trained in "
            f"{elapsed:.2f}s, {len(group.entries)} candidates scored",
            flush=True,
        )
        for index, result in results:
            progress = (*split_progress, index, n_candidates)
            print(cv_end_line(progress, group.candidates[index], result, verbose))
    return results, saved if keep else None


def cv_end_line(progress, parameters, result, verbose):
    """GridSearchCV's line for a candidate and a split, as ``_fit_and_score`` prints.

    ``[CV 1/3] END alpha=0.05, epochs=2;, score=0.679 total time=   0.1s``:
    the scores at ``verbose > 2``, the candidate's place at ``verbose > 9``;
    the time is the candidate's share of its stack's, and its scoring.
    """
    split, n_splits, index, n_candidates = progress
    progress_msg = f" {split + 1}/{n_splits}"
    if verbose > 9:
        progress_msg += f"; {index + 1}/{n_candidates}"
    params_msg = ", ".join(f"{k}={parameters[k]}" for k in sorted(parameters))
    end_msg = f"[CV{progress_msg}] END "
    result_msg = params_msg + (";" if params_msg else "")
    test_scores, train_scores = result["test_scores"], result.get("train_scores")
    if verbose > 2:
        if isinstance(test_scores, dict):
            for name in sorted(test_scores):
                result_msg += f" {name}: ("
                if train_scores is not None:
                    result_msg += f"train={train_scores[name]:.3f}, "
                result_msg += f"test={test_scores[name]:.3f})"
        elif train_scores is not None:
            result_msg += f", score=(train={train_scores:.3f}, test={test_scores:.3f})"
        else:
            result_msg += f", score={test_scores:.3f}"
    total_time = result["fit_time"] + result["score_time"]
    result_msg += f" total time={logger.short_format_time(total_time)}"
    return end_msg + "." * (80 - len(end_msg) - len(result_msg)) + result_msg
