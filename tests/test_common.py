"""scikit-learn's estimator contract: every check of check_estimator.

This is the one place where the contract is checked. There are no expected
failures: a check that fails here is a bug to fix, not a debt to list.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sknumpynet import NumpyMLPClassifier

ESTIMATORS = [
    NumpyMLPClassifier(),
    NumpyMLPClassifier(solver="adam", alpha=0.01),
    NumpyMLPClassifier(solver="lbfgs"),
    NumpyMLPClassifier(early_stopping=True),
    NumpyMLPClassifier(class_weight="balanced"),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: {})
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
