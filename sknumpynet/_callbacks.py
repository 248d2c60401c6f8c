"""Support for scikit-learn's callback API (``sklearn.callback``, new in 1.9).

On older scikit-learn the estimator keeps working; it just has no callbacks to
call, and this module supplies a context whose hooks do nothing.
"""

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


__all__ = ["CallbackSupportMixin"]
