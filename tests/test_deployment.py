"""Deployment: ONNX export checked in onnxruntime, safe persistence with skops."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import sknumpynet
from sknumpynet import NumpyMLPClassifier, NumpyMLPRegressor

skl2onnx = pytest.importorskip("skl2onnx")
onnxruntime = pytest.importorskip("onnxruntime")
from sknumpynet.onnx import to_onnx  # noqa: E402


def _run(onnx_model, X):
    session = onnxruntime.InferenceSession(onnx_model.SerializeToString())
    return session.run(None, {session.get_inputs()[0].name: X})


def _targets(X):
    return {
        "binary": (X[:, 0] > 0).astype(int),
        "multiclass": np.digitize(X[:, 0], [-0.5, 0.5]),
        "strings": np.array(["cat", "dog", "emu"])[np.digitize(X[:, 1], [-0.5, 0.5])],
        "multilabel": np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 1].astype(int),
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", ["binary", "multiclass", "strings", "multilabel"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
def test_classifier_in_onnxruntime(activation, target, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)).astype(dtype)
    y = _targets(X)[target]
    clf = NumpyMLPClassifier((8, 4), activation, epochs=5, tol=None, random_state=0)
    clf.fit(X, y)
    labels, proba = _run(to_onnx(clf, X), X)
    np.testing.assert_array_equal(labels, clf.predict(X))
    assert proba.dtype == dtype
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=0, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_in_onnxruntime(loss, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)).astype(dtype)
    Y = np.c_[np.exp(X[:, 0]), 1 + X[:, 1] ** 2]
    for y in (Y[:, 0], Y):
        reg = NumpyMLPRegressor(loss=loss, epochs=5, tol=None, random_state=0)
        reg.fit(X, y)
        (pred,) = _run(to_onnx(reg, X), X)
        assert pred.shape == (200, reg.n_outputs_)
        np.testing.assert_allclose(
            pred, reg.predict(X).reshape(200, -1), rtol=1e-5, atol=1e-5
        )


def test_pipeline_through_skl2onnx_itself(digits):
    X, y = digits
    pipe = make_pipeline(MinMaxScaler(), NumpyMLPClassifier(epochs=5, tol=None))
    pipe.fit(X * 16, y)
    X32 = (X * 16).astype(np.float32)
    onnx_model = skl2onnx.to_onnx(
        pipe, X32[:1], options={NumpyMLPClassifier: {"zipmap": False}}
    )
    labels, proba = _run(onnx_model, X32)
    np.testing.assert_array_equal(labels, pipe.predict(X32))
    np.testing.assert_allclose(proba, pipe.predict_proba(X32), atol=1e-5)


def test_float_and_boolean_labels_export_as_integers():
    X = np.random.RandomState(0).normal(size=(60, 3))
    for y in ((X[:, 0] > 0) + 1.0, X[:, 0] > 0):
        clf = NumpyMLPClassifier(epochs=2, tol=None).fit(X, y)
        labels, _ = _run(to_onnx(clf, X), X)
        assert labels.dtype == np.int64
        np.testing.assert_array_equal(labels, clf.predict(X).astype(np.int64))


@pytest.mark.parametrize(
    "solver, momentum", [("sgd", 0.0), ("sgd", 0.9), ("adam", 0.0), ("lbfgs", 0.0)]
)
def test_skops_trusts_only_the_estimator_and_resumes_exactly(digits, solver, momentum):
    sio = pytest.importorskip("skops.io")
    X, y = digits
    params = dict(solver=solver, momentum=momentum, epochs=3, tol=None)
    clf = NumpyMLPClassifier(random_state=0, **params).fit(X, y)
    data = sio.dumps(clf)
    assert sio.get_untrusted_types(data=data) == [
        "sknumpynet._estimators.classifier.NumpyMLPClassifier"
    ]
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    if solver != "lbfgs":
        clf.partial_fit(X, y)
        loaded.partial_fit(X, y)
        np.testing.assert_array_equal(loaded.coefs_[0], clf.coefs_[0])


def test_skops_round_trip_of_the_regressor():
    sio = pytest.importorskip("skops.io")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    reg = NumpyMLPRegressor(epochs=3, tol=None).fit(X, X[:, 0])
    data = sio.dumps(reg)
    assert sio.get_untrusted_types(data=data) == [
        "sknumpynet._estimators.regressor.NumpyMLPRegressor"
    ]
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


def test_version_comes_from_the_package_metadata():
    from importlib.metadata import version

    assert sknumpynet.__version__ == version("sknumpynet")


def test_html_repr_links_to_the_api_reference():
    link = NumpyMLPClassifier()._get_doc_link()
    assert link.endswith("/api/generated/sknumpynet.NumpyMLPClassifier.html")
    assert NumpyMLPRegressor()._get_doc_link().endswith("NumpyMLPRegressor.html")
