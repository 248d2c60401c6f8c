"""What a loop trains and how it reports: the training state and the hooks.

A :class:`TrainingState` is everything training changes (the network, the
optimizer's state, the curves and counters); the loops of this folder train
one and return it, and the estimator commits it as its fitted attributes
(:func:`fitted_attributes`). :class:`Hooks` is how a loop tells the
estimator of each epoch and has its held-out set scored, without seeing the
estimator.
"""

import os
import sys
import warnings
from dataclasses import dataclass, field

import sklearn.base

# A warning is shown at the first frame outside the package's folder and
# scikit-learn's decorator of fit methods (in sklearn/base.py).
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_SKIPPED = (_PACKAGE, sklearn.base.__file__)


@dataclass
class TrainingState:
    """Everything training changes; committed to the estimator on success.

    A fit starts from a new state, or from one built afresh from the fitted
    attributes (warm_start, partial_fit), so the estimator's own arrays are
    never trained in place.

    ``n_iter`` counts the epochs (L-BFGS: iterations) of the current call;
    ``loss_curve`` and ``t`` (samples seen) run on across warm starts.
    """

    network: object
    optimizer: dict | None = None
    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list = field(default_factory=list)
    best_loss: float | None = None
    no_improvement_count: int = 0
    validation_scores: list | None = None
    validation_loss_curve: list | None = None
    best_validation_loss: float | None = None
    best_validation_score: float | None = None


# TrainingState field -> fitted attribute of the estimator.
STATE_ATTRIBUTES = {
    "optimizer": "_optimizer_state",
    "n_iter": "n_iter_",
    "t": "t_",
    "loss": "loss_",
    "loss_curve": "loss_curve_",
    "best_loss": "best_loss_",
    "no_improvement_count": "_no_improvement_count",
    "validation_scores": "validation_scores_",
    "validation_loss_curve": "validation_loss_curve_",
    "best_validation_loss": "best_validation_loss_",
    "best_validation_score": "best_validation_score_",
}


def _copy(value):
    """Copy a list, so that the committed curves and the state never share one."""
    return list(value) if isinstance(value, list) else value


def state_from_attributes(network, estimator):
    """Return a state that goes on from an estimator's fitted attributes (copies)."""
    # Models saved by older versions lack some attributes: use the defaults.
    return TrainingState(
        network,
        **{
            name: _copy(
                getattr(estimator, attribute, getattr(TrainingState, name, None))
            )
            for name, attribute in STATE_ATTRIBUTES.items()
        },
    )


def fitted_attributes(state, targets, copy=False):
    """Return the attributes a fit commits, from a training state.

    With ``copy``, a snapshot for callbacks that predict in mid-fit.
    """
    network = state.network.copy() if copy else state.network
    attributes = {key: value for key, value in targets.items() if key.endswith("_")}
    attributes.update(
        coefs_=network.coefs,
        intercepts_=network.intercepts,
        n_layers_=len(network.layer_units),
        n_outputs_=network.layer_units[-1],
        out_activation_=network.out_activation,
    )
    for name, attribute in STATE_ATTRIBUTES.items():
        attributes[attribute] = _copy(getattr(state, name))
    return attributes


class Hooks:
    """How a loop reports to the estimator; this base reports to no one.

    ``validates`` says whether ``validate(network)`` scores a held-out set
    after each epoch: it returns ``(loss, score)``, higher scores better.
    ``stops_early`` says whether that set also decides when to stop and
    which epoch to keep (early stopping). ``epoch_end(state)`` returns True
    to stop training.
    """

    validates = stops_early = False

    def epoch_begin(self):
        """Report that an epoch (L-BFGS: an iteration) starts."""

    def epoch_end(self, state):
        """Report that an epoch has ended; return True to stop training."""
        return False

    def validate(self, network):
        """Return the held-out ``(loss, score)`` of the network."""
        raise NotImplementedError


def warn_caller(message, category):
    """Warn at the first caller outside the package: the user's call of fit.

    Or scikit-learn's, when a pipeline or a search fits the estimator
    (scikit-learn's wrapper of every ``fit`` is skipped too). The frames are
    counted, not fixed, so the warning stays there whichever way the package
    reaches this line.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_SKIPPED):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
