"""Support for scikit-learn's callback API (``sklearn.callback``, new in 1.9).

On older scikit-learn the estimator keeps working; it just has no callbacks to
call, and this module supplies a context whose hooks do nothing.
:class:`EstimatorHooks` is how a training loop reports its epochs to the
estimator's callbacks and has its held-out set scored.
"""

from ._training import Hooks

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class _NoCallbackContext:
        """Stands in for ``CallbackContext`` where scikit-learn has none."""

        def subcontext(self, task_name="", task_id=None, max_subtasks=0):
            return self

        def call_on_fit_task_begin(self, **kwargs):
            return self

        def call_on_fit_task_end(self, **kwargs):
            return False

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Callback support for scikit-learn versions that have none."""

        def _init_callback_context(self, task_name="fit", max_subtasks=0, **kwargs):
            return _NoCallbackContext()


class EstimatorHooks(Hooks):
    """Reports each epoch to the estimator's callbacks and scores the held-out set."""

    def __init__(
        self, estimator, context, X, y, fitted_attributes, validation, stops_early
    ):
        self.estimator, self.context, self.X, self.y = estimator, context, X, y
        self.fitted_attributes = fitted_attributes
        self.validation = validation
        self.validates = validation is not None
        self.stops_early = self.validates and stops_early

    def epoch_begin(self):
        self._epoch = self.context.subcontext(task_name="epoch")
        self._epoch.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def epoch_end(self, state):
        return self._epoch.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=lambda: self.fitted_attributes(state, copy=True),
        )

    def validate(self, network):
        X_val, y_val, sw_val = self.validation
        Z = network.logits(X_val)
        score = self.estimator._score_logits(Z, y_val, sw_val)
        return network.loss(Z, y_val, sw_val), score


__all__ = ["CallbackSupportMixin", "EstimatorHooks"]
