"""The scikit-learn shell: parameters, validation, fit as a transaction, prediction.

``base.py`` validates, hands the data to a loop of ``_training/`` and
commits what it returns; ``classifier.py`` and ``regressor.py`` add what is
specific to their targets.
"""
