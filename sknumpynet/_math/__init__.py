"""The network as mathematics: nothing here knows of an estimator or a loop.

``network.py`` is the forward pass, the loss and backpropagation of a batch;
``activations.py`` and ``losses.py`` hold each activation beside its
derivative and each output loss; ``targets.py`` lays out an epoch's targets
for the output delta ``P - Y``. The formulas are written with the few
operations of ``ops.py``, once for every array library (``array_api.py``)
and for one network or a stack of them.
"""
