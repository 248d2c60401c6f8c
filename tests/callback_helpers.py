"""A do-nothing scikit-learn callback (the FitCallback protocol) for tests to extend."""


class Callback:
    """Every hook of a FitCallback, doing nothing; tests override what they watch."""

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        return False

    def teardown(self, estimator, context):
        pass
