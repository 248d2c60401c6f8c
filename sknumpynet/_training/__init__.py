"""The loops: they train a state of ``state.py`` and return it, never the estimator.

``minibatch.py`` (with ``epoch.py``, one epoch of minibatches) runs sgd and
adam, ``lbfgs.py`` drives scipy's L-BFGS; ``optimizers.py`` holds the update
rules, ``stopping.py`` when training stops, and ``stack.py`` k networks
trained side by side, each with its own state.
"""
