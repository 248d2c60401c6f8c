"""ONNX export of NumpyMLPClassifier and NumpyMLPRegressor (needs skl2onnx).

Importing this module registers a shape calculator and a converter for both
estimators with skl2onnx, so that ``skl2onnx.to_onnx(model, X[:1])`` converts
them on their own and as the last step of a ``Pipeline``. :func:`to_onnx` is
the short way to do the same, with probabilities as a plain tensor.
``pip install "sknumpynet[onnx]"`` installs skl2onnx and onnxruntime.

The graph is the network itself: a ``MatMul`` and an ``Add`` per layer, the
hidden activation (``Tanh``, ``Relu``, ``Sigmoid`` or none) between them, and
the output: ``Softmax`` with the ``ArgMax`` of the logits for a classifier,
``Sigmoid`` and ``logits > 0`` for multilabel, the identity or ``Exp`` for a
regressor. It computes in the precision of the ``X`` given to the
conversion, float32 or float64.

Examples
--------
>>> import numpy as np
>>> from onnxruntime import InferenceSession
>>> from sknumpynet import NumpyMLPClassifier
>>> from sknumpynet.onnx import to_onnx
>>> rng = np.random.RandomState(0)
>>> X = rng.normal(size=(100, 4)).astype(np.float32)
>>> y = (X[:, 0] > 0).astype(int)
>>> clf = NumpyMLPClassifier(epochs=5, tol=None, random_state=0).fit(X, y)
>>> session = InferenceSession(to_onnx(clf, X).SerializeToString())
>>> labels, proba = session.run(None, {"X": X})
>>> bool((labels == clf.predict(X)).all())
True
>>> bool(np.allclose(proba, clf.predict_proba(X), atol=1e-5))
True
"""

import numpy as np

try:
    import skl2onnx
except ImportError as exc:
    raise ImportError(
        "sknumpynet.onnx needs skl2onnx: pip install 'sknumpynet[onnx]' (it "
        "brings skl2onnx and onnxruntime)."
    ) from exc
from onnx import TensorProto
from skl2onnx import update_registered_converter
from skl2onnx.algebra.onnx_ops import (
    OnnxAdd,
    OnnxArgMax,
    OnnxArrayFeatureExtractor,
    OnnxCast,
    OnnxExp,
    OnnxGreater,
    OnnxIdentity,
    OnnxMatMul,
    OnnxRelu,
    OnnxReshape,
    OnnxSigmoid,
    OnnxSoftmax,
    OnnxTanh,
)
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
    guess_numpy_type,
)

from ._estimators.classifier import NumpyMLPClassifier
from ._estimators.regressor import NumpyMLPRegressor
from ._math.array_api import to_numpy_array

__all__ = ["to_onnx"]

# Hidden activations; 'identity' adds no node.
_HIDDEN = {"tanh": OnnxTanh, "relu": OnnxRelu, "logistic": OnnxSigmoid}


def _tensor_type(operator):
    """Return the tensor type of the input's precision (float32 or float64)."""
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        return DoubleTensorType
    return FloatTensorType


def _classifier_shapes(operator):
    model = operator.raw_operator
    N = operator.inputs[0].get_first_dimension()
    C = len(model.classes_)
    if model.out_activation_ == "logistic":
        operator.outputs[0].type = Int64TensorType([N, C])
    elif model.classes_.dtype.kind in "OUS":
        operator.outputs[0].type = StringTensorType([N])
    else:
        # Numbers: integers, booleans, or floats of integer value (classifier
        # targets cannot be anything else); exported as int64.
        operator.outputs[0].type = Int64TensorType([N])
    operator.outputs[1].type = _tensor_type(operator)([N, C])


def _regressor_shapes(operator):
    model = operator.raw_operator
    N = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = _tensor_type(operator)([N, model.n_outputs_])


def _logits(model, X, dtype, opv):
    """Build the network up to the output layer's pre-activation."""
    A = X
    last = len(model.coefs_) - 1
    for i, (coef, intercept) in enumerate(zip(model.coefs_, model.intercepts_)):
        # Weights of a model fitted on another array library (GPU) come home.
        A = OnnxMatMul(A, to_numpy_array(coef).astype(dtype), op_version=opv)
        A = OnnxAdd(A, to_numpy_array(intercept).astype(dtype), op_version=opv)
        if i < last and model.activation in _HIDDEN:
            A = _HIDDEN[model.activation](A, op_version=opv)
    return A


def _convert_classifier(scope, operator, container):
    model, opv = operator.raw_operator, container.target_opset
    dtype = guess_numpy_type(operator.inputs[0].type)
    Z = _logits(model, operator.inputs[0], dtype, opv)
    label_name, proba_name = (v.full_name for v in operator.outputs)
    if model.out_activation_ == "logistic":
        proba = OnnxSigmoid(Z, op_version=opv, output_names=[proba_name])
        positive = OnnxGreater(Z, np.array([0], dtype=dtype), op_version=opv)
        label = OnnxCast(
            positive, to=TensorProto.INT64, op_version=opv, output_names=[label_name]
        )
    else:
        proba = OnnxSoftmax(Z, axis=1, op_version=opv, output_names=[proba_name])
        classes = model.classes_
        if classes.dtype.kind in "OUS":
            classes = classes.astype(str)
        else:
            classes = classes.astype(np.int64)
        index = OnnxArgMax(Z, axis=1, keepdims=0, op_version=opv)
        label = OnnxReshape(
            OnnxArrayFeatureExtractor(classes, index, op_version=opv),
            np.array([-1], dtype=np.int64),
            op_version=opv,
            output_names=[label_name],
        )
    proba.add_to(scope, container)
    label.add_to(scope, container)


def _convert_regressor(scope, operator, container):
    model, opv = operator.raw_operator, container.target_opset
    dtype = guess_numpy_type(operator.inputs[0].type)
    Z = _logits(model, operator.inputs[0], dtype, opv)
    out = OnnxExp(Z, op_version=opv) if model.out_activation_ == "exp" else Z
    OnnxIdentity(
        out, op_version=opv, output_names=[operator.outputs[0].full_name]
    ).add_to(scope, container)


update_registered_converter(
    NumpyMLPClassifier,
    "SknumpynetNumpyMLPClassifier",
    _classifier_shapes,
    _convert_classifier,
    options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
)
update_registered_converter(
    NumpyMLPRegressor,
    "SknumpynetNumpyMLPRegressor",
    _regressor_shapes,
    _convert_regressor,
)


def to_onnx(model, X, **kwargs):
    """Convert a fitted estimator, or a Pipeline that ends in one, to ONNX.

    Parameters
    ----------
    model : NumpyMLPClassifier, NumpyMLPRegressor or Pipeline
        The fitted model.
    X : array-like of shape (n_samples, n_features)
        Example input: its first row sets the input's name ``"X"``, its
        number of features and its precision (float32 or float64).
    **kwargs
        Passed on to ``skl2onnx.to_onnx``. By default classifiers return
        their probabilities as a tensor (``options`` sets ``zipmap=False``).

    Returns
    -------
    onnx_model : onnx.ModelProto
        Inputs: ``X``. Outputs: the labels and the probabilities
        (classifier), or the predictions (regressor), as ``predict`` and
        ``predict_proba`` return them, the predictions with one column per
        output.
    """
    X = to_numpy_array(X) if hasattr(X, "__dlpack__") else np.asarray(X)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    kwargs.setdefault("options", {NumpyMLPClassifier: {"zipmap": False}})
    kwargs.setdefault("initial_types", [("X", _tensor_from_array(X))])
    return skl2onnx.to_onnx(model, **kwargs)


def _tensor_from_array(X):
    kind = DoubleTensorType if X.dtype == np.float64 else FloatTensorType
    return kind([None, X.shape[1]])
