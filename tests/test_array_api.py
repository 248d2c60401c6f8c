"""Training and prediction in other array namespaces (array API dispatch).

PyTorch (CPU here) and array-api-strict, scikit-learn's reference namespace,
stand for every array-API library: the same code runs CuPy and PyTorch on
the GPU. Each test is skipped, saying why, when its library is missing.
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.utils.estimator_checks import check_array_api_input

from sknumpynet import NumpyMLPClassifier, NumpyMLPRegressor, to_numpy
from sknumpynet._estimators import namespaces

try:
    import torch
except ImportError:  # the PyTorch tests skip; array-api-strict's still run
    torch = None
needs_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed: pip install torch"
)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

NAMESPACES = [
    ("array_api_strict", "CPU_DEVICE", "float64"),
    ("array_api_strict", "device1", "float32"),
    ("torch", "cpu", "float32"),
    ("torch", "cpu", "float64"),
]

ESTIMATORS = {
    "classifier": NumpyMLPClassifier(),
    "regressor": NumpyMLPRegressor(),
    "poisson": NumpyMLPRegressor(loss="poisson", alpha=1e-3),
    "lbfgs": NumpyMLPClassifier(solver="lbfgs"),
    "momentum-relu": NumpyMLPClassifier(
        activation="relu", momentum=0.9, learning_rate="adaptive"
    ),
    "adam-everything": NumpyMLPClassifier(
        solver="adam",
        hidden_layer_sizes=(8, 6),
        early_stopping=True,
        dropout=0.2,
        class_weight="balanced",
    ),
}

# scikit-learn's accuracy_score averages torch float64 predictions in torch's
# default float32 (LogisticRegression shows it too; see the test below), so
# score() differs from NumPy's beyond the check's float64 tolerance whenever
# the accuracy is not exactly representable in float32.
SCORE_IN_FLOAT32 = (
    "scikit-learn's accuracy_score averages in float32 for torch float64 "
    "input; reproduced with LogisticRegression in "
    "test_sklearn_accuracy_score_on_torch_float64"
)


def _namespace_cases():
    for name in ESTIMATORS:
        for namespace, device, dtype in NAMESPACES:
            marks = []
            if name == "adam-everything" and (namespace, dtype) == (
                "torch",
                "float64",
            ):
                marks = [pytest.mark.skip(reason=SCORE_IN_FLOAT32)]
            yield pytest.param(
                name,
                namespace,
                device,
                dtype,
                marks=marks,
                id=f"{name}-{namespace}-{device}-{dtype}",
            )


@pytest.mark.parametrize("name, namespace, device, dtype", list(_namespace_cases()))
def test_check_array_api_input_values(name, namespace, device, dtype):
    """scikit-learn's check, values included: same weights, outputs and scores."""
    pytest.importorskip(namespace)
    check_array_api_input(
        name,
        ESTIMATORS[name],
        array_namespace=namespace,
        device_name=device,
        dtype_name=dtype,
        check_values=True,
        check_sample_weight=True,
    )


@needs_torch
def test_sklearn_accuracy_score_on_torch_float64():
    """The reason for the one skipped combination above, with scikit-learn alone."""
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=30, random_state=42, flip_y=0.3)
    numpy_score = LogisticRegression().fit(X, y).score(X, y)
    Xt, yt = torch.asarray(X), torch.asarray(y)
    with sklearn.config_context(array_api_dispatch=True):
        torch_score = LogisticRegression().fit(Xt, yt).score(Xt, yt)
    # Equal to float32 precision only. When this starts to fail, scikit-learn
    # has fixed it: remove the skip above.
    assert abs(numpy_score - torch_score) > 1e-9
    assert abs(numpy_score - torch_score) < 1e-6


@pytest.fixture(scope="module")
def digits32(digits):
    X, y = digits
    return X.astype(np.float32), y


@needs_torch
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"solver": "adam", "alpha": 0.001},
        {"momentum": 0.9, "activation": "relu"},
        {"dropout": 0.1, "hidden_layer_sizes": (32, 16)},
        {"early_stopping": True, "class_weight": "balanced"},
    ],
    ids=["sgd", "adam", "momentum", "dropout", "early-stopping"],
)
def test_torch_agrees_with_numpy_on_digits(digits32, params):
    """Same data and random_state: after 10 epochs in float32, max |Δproba| < 1e-3."""
    X, y = digits32
    kwargs = dict(epochs=10, tol=None, random_state=0, **params)
    numpy_model = NumpyMLPClassifier(**kwargs).fit(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        torch_model = NumpyMLPClassifier(**kwargs).fit(
            torch.asarray(X), torch.asarray(y)
        )
        proba = torch_model.predict_proba(torch.asarray(X))
    assert isinstance(proba, torch.Tensor)
    difference = np.abs(proba.numpy() - numpy_model.predict_proba(X)).max()
    assert difference < 1e-3
    assert_allclose(torch_model.loss_curve_, numpy_model.loss_curve_, rtol=1e-3)
    assert torch_model.n_iter_ == numpy_model.n_iter_ == 10


@needs_torch
def test_same_random_state_same_start_in_every_namespace(digits):
    """Weights are drawn on the host: one epoch in float64 agrees to rounding."""
    X, y = digits
    kwargs = dict(epochs=1, tol=None, random_state=3)
    numpy_model = NumpyMLPClassifier(**kwargs).fit(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        torch_model = NumpyMLPClassifier(**kwargs).fit(
            torch.asarray(X), torch.asarray(y)
        )
    for ours, theirs in zip(torch_model.coefs_, numpy_model.coefs_):
        assert_allclose(ours.numpy(), theirs, rtol=1e-10, atol=1e-12)


@needs_torch
def test_regressor_and_multilabel_agree_with_numpy():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(200, 6))
    Y = np.stack([X @ rng.normal(size=6), X[:, 0] > 0.5, X[:, 1] > 0.3], axis=1)
    cases = [
        (NumpyMLPRegressor(epochs=20, tol=None, random_state=0), Y[:, :1].ravel()),
        (NumpyMLPRegressor(epochs=20, tol=None, random_state=0), Y),
        (NumpyMLPClassifier(epochs=20, tol=None, random_state=0), Y[:, 1:].astype(int)),
    ]
    for model, target in cases:
        expected = sklearn.clone(model).fit(X, target).predict(X)
        with sklearn.config_context(array_api_dispatch=True):
            fitted = model.fit(torch.asarray(X), torch.asarray(target))
            predicted = fitted.predict(torch.asarray(X))
        assert isinstance(predicted, torch.Tensor)
        assert_allclose(predicted.numpy(), expected, rtol=1e-9, atol=1e-9)


@needs_torch
def test_classes_and_weights_as_tensors(digits32):
    """partial_fit's classes and fit's sample_weight may be tensors too."""
    X, y = digits32
    Xt, yt = torch.asarray(X), torch.asarray(y)
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(random_state=0)
        for _ in range(2):
            model.partial_fit(Xt, yt, classes=torch.arange(10))
        assert isinstance(model.classes_, np.ndarray)
        assert model.score(Xt, yt) > 0.8
        weighted = NumpyMLPClassifier(
            epochs=3, class_weight={0: 2.0}, random_state=0
        ).fit(Xt, yt, sample_weight=torch.full((len(y),), 0.5))
        predicted = weighted.predict(Xt)
    reference = NumpyMLPClassifier(epochs=3, class_weight={0: 2.0}, random_state=0)
    reference.fit(X, y, sample_weight=np.full(len(y), 0.5))
    assert isinstance(predicted, torch.Tensor)
    assert (predicted.numpy() == reference.predict(X)).mean() > 0.99


@needs_torch
def test_string_labels_stay_on_the_host(digits32):
    X, y = digits32
    labels = np.array(["zero", "one", "two", "three", "four"] * 2)[y]
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(epochs=3, random_state=0).fit(
            torch.asarray(X), labels
        )
        predicted = model.predict(torch.asarray(X))
    assert isinstance(predicted, np.ndarray)
    assert set(predicted) <= set(labels)


@needs_torch
def test_partial_fit_and_warm_start_continue_on_the_device(digits32):
    X, y = digits32
    Xt, yt = torch.asarray(X), torch.asarray(y)
    reference = NumpyMLPClassifier(random_state=0)
    for _ in range(3):
        reference.partial_fit(X, y, classes=np.arange(10))
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(random_state=0)
        for _ in range(3):
            model.partial_fit(Xt, yt, classes=np.arange(10))
        assert all(isinstance(c, torch.Tensor) for c in model.coefs_)
        proba = model.predict_proba(Xt).numpy()
    assert_allclose(proba, reference.predict_proba(X), atol=1e-4)
    assert model.t_ == reference.t_ == 3 * X.shape[0]


@needs_torch
def test_fitted_on_torch_pickles_and_converts_to_numpy(digits32, tmp_path):
    X, y = digits32
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(epochs=5, solver="adam", random_state=0).fit(
            torch.asarray(X), torch.asarray(y)
        )
        expected = model.predict_proba(torch.asarray(X)).numpy()
        joblib.dump(model, tmp_path / "torch_model.joblib")
        loaded = joblib.load(tmp_path / "torch_model.joblib")
        assert_array_equal(loaded.predict_proba(torch.asarray(X)).numpy(), expected)
        roundtrip = pickle.loads(pickle.dumps(model))
        assert_array_equal(roundtrip.predict_proba(torch.asarray(X)).numpy(), expected)
    # The documented way to a model for machines without the library or GPU.
    portable = to_numpy(model)
    assert all(
        isinstance(c, np.ndarray) for c in portable.coefs_ + portable.intercepts_
    )
    assert all(isinstance(m, np.ndarray) for m in portable._optimizer_state["ms"])
    joblib.dump(portable, tmp_path / "numpy_model.joblib")
    portable = joblib.load(tmp_path / "numpy_model.joblib")
    # NumPy's and PyTorch's float32 products round differently.
    assert_allclose(portable.predict_proba(X), expected, atol=1e-6)
    # ... and it trains on in NumPy, from the same optimizer state.
    portable.partial_fit(X, y)
    assert portable.n_iter_ == model.n_iter_ + 1
    # The original model is untouched.
    assert isinstance(model.coefs_[0], torch.Tensor)


@needs_torch
def test_other_namespace_in_predict_is_refused(digits32):
    X, y = digits32
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(epochs=2, random_state=0).fit(
            torch.asarray(X), torch.asarray(y)
        )
        with pytest.raises(ValueError, match=r"NumpyMLPClassifier\.predict\(\) must"):
            model.predict(X)
        with pytest.raises(ValueError, match="sparse"):
            model.predict_proba(sparse.csr_matrix(X))
    # With dispatch off, NumPy input cannot meet torch weights either.
    with pytest.raises(ValueError, match="sknumpynet.to_numpy"):
        model.predict(X)


@needs_torch
def test_partial_fit_in_another_namespace_changes_nothing(digits32):
    X, y = digits32
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(epochs=2, random_state=0).fit(
            torch.asarray(X), torch.asarray(y)
        )
        before = model.predict_proba(torch.asarray(X)).numpy()
        coefs = [c.clone() for c in model.coefs_]
        with pytest.raises(ValueError, match="same namespace"):
            model.partial_fit(X, y)
        assert_array_equal(model.predict_proba(torch.asarray(X)).numpy(), before)
    for old, new in zip(coefs, model.coefs_):
        assert torch.equal(old, new)


@needs_torch
def test_divergence_on_torch_is_reported_and_rolled_back(digits32):
    X, y = digits32
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(alpha=1e6, epochs=3, random_state=0)
        with pytest.raises(ValueError, match="Training diverged"):
            model.fit(torch.asarray(X), torch.asarray(y))
    assert not hasattr(model, "coefs_")


def test_float64_refused_on_a_device_without_it(digits32, monkeypatch):
    """Apple's MPS has no float64; no such device here, so its answer is faked."""
    xp_strict = pytest.importorskip("array_api_strict")
    X, y = digits32
    monkeypatch.setattr(
        namespaces, "_max_precision_float_dtype", lambda xp, device: xp.float32
    )
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(dtype="float64", epochs=1)
        with pytest.raises(ValueError, match="no float64.*dtype=numpy.float32"):
            model.fit(xp_strict.asarray(X), xp_strict.asarray(y))
        # float32, as the device has it, trains.
        model.set_params(dtype="float32").fit(
            xp_strict.asarray(X), xp_strict.asarray(y)
        )
    assert model.coefs_[0].dtype == xp_strict.float32


@needs_torch
def test_lbfgs_runs_on_torch_with_a_host_optimiser(digits32):
    X, y = digits32
    kwargs = dict(solver="lbfgs", epochs=15, random_state=0, tol=None)
    reference = NumpyMLPClassifier(**kwargs).fit(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(**kwargs).fit(torch.asarray(X), torch.asarray(y))
    assert model.n_iter_ == reference.n_iter_
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-3)


@needs_torch
def test_dispatch_off_converts_torch_input_to_numpy(digits32):
    X, y = digits32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = NumpyMLPClassifier(epochs=2, random_state=0, tol=None).fit(
            torch.asarray(X), torch.asarray(y)
        )
    assert isinstance(model.coefs_[0], np.ndarray)


@needs_torch
def test_onnx_export_of_a_model_fitted_on_torch(digits32):
    pytest.importorskip("skl2onnx")
    onnxruntime = pytest.importorskip("onnxruntime")
    from sknumpynet.onnx import to_onnx

    X, y = digits32
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(epochs=3, random_state=0).fit(
            torch.asarray(X), torch.asarray(y)
        )
        expected = model.predict_proba(torch.asarray(X)).numpy()
    onnx_model = to_onnx(model, torch.asarray(X[:1]))
    session = onnxruntime.InferenceSession(onnx_model.SerializeToString())
    labels, proba = session.run(None, {"X": X})
    assert_allclose(proba, expected, atol=1e-6)
    assert_array_equal(labels, expected.argmax(axis=1))


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
@pytest.mark.parametrize(
    "target", ["classes", "multilabel", "squared_error", "poisson"]
)
def test_every_activation_and_loss_agree_with_numpy_on_array_api_strict(
    activation, target
):
    # The array-API form of each activation, derivative and loss, in
    # scikit-learn's reference namespace: the same network as NumPy's in
    # float64, to rounding.
    xp = pytest.importorskip("array_api_strict")
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(120, 5))
    if target == "classes":
        model, y = NumpyMLPClassifier(), (X[:, 0] * 3).astype(int)
    elif target == "multilabel":
        model, y = NumpyMLPClassifier(), (X[:, :3] > 0.5).astype(int)
    else:
        model = NumpyMLPRegressor(loss=target)
        y = rng.poisson(1 + 2 * X[:, 0]).astype(float)
    model.set_params(
        hidden_layer_sizes=(6, 4),
        activation=activation,
        epochs=3,
        tol=None,
        batch_size=16,
        alpha=0.05,
        l2=0.01,
        random_state=0,
    )
    expected = sklearn.clone(model).fit(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        fitted = model.fit(xp.asarray(X), xp.asarray(y))
    fitted = to_numpy(fitted)
    for ours, theirs in zip(
        fitted.coefs_ + fitted.intercepts_, expected.coefs_ + expected.intercepts_
    ):
        assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    assert_allclose(fitted.loss_curve_, expected.loss_curve_, rtol=1e-9)


@needs_torch
def test_a_validation_set_on_the_device_of_x(digits32):
    X, y = digits32
    kwargs = dict(epochs=3, tol=None, random_state=0)
    expected = NumpyMLPClassifier(**kwargs).fit(
        X[:1200], y[:1200], X_val=X[1200:], y_val=y[1200:]
    )
    with sklearn.config_context(array_api_dispatch=True):
        Xt = torch.asarray(X)
        model = NumpyMLPClassifier(**kwargs).fit(
            Xt[:1200],
            torch.asarray(y[:1200]),
            X_val=Xt[1200:],
            y_val=torch.asarray(y[1200:]),
        )
        with pytest.raises(ValueError, match="X_val is in namespace"):
            NumpyMLPClassifier(**kwargs).fit(
                Xt[:1200], y[:1200], X_val=X[1200:], y_val=y[1200:]
            )
    assert_allclose(
        model.validation_loss_curve_, expected.validation_loss_curve_, rtol=1e-3
    )


def test_softmax_is_stable_row_by_row_on_array_api_strict():
    # Each row is shifted by its own maximum: a row of small logits beside a
    # row of huge ones keeps its probabilities (no exp underflow to 0/0).
    from sknumpynet._math.activations import inplace_softmax

    xp = pytest.importorskip("array_api_strict")
    Z = np.array([[0.0, 1.0, 2.0], [1000.0, 1001.0, 1002.0]])
    expected = inplace_softmax(Z.copy())
    assert_allclose(expected[0], expected[1])
    assert_allclose(np.asarray(inplace_softmax(xp.asarray(Z), xp)), expected)


def test_a_stack_with_a_diverging_network_on_array_api_strict(digits):
    # One network of the stack blows up; the others train on, as on NumPy.
    from sknumpynet._search.path import fit_path

    xp = pytest.importorskip("array_api_strict")
    X, y = digits
    X, y = X[:300], y[:300]
    estimator = NumpyMLPClassifier(random_state=0, tol=None, dtype="float64")
    # Its weights overflow to inf in its first batch: its loss is NaN.
    members = [{"alpha": 0.1}, {"alpha": 1e300}, {"alpha": 0.3}]
    expected, *_ = fit_path(estimator, members, [2], X, y, {})
    with sklearn.config_context(array_api_dispatch=True):
        models, *_ = fit_path(estimator, members, [2], xp.asarray(X), xp.asarray(y), {})
    assert isinstance(models[1][2], ValueError) and isinstance(
        expected[1][2], ValueError
    )
    for j in (0, 2):
        assert_allclose(np.asarray(models[j][2].coefs_[0]), expected[j][2].coefs_[0])


def test_mid_fit_snapshots_are_copies_on_array_api_strict(digits32):
    # A callback's fitted_estimator holds copies of the weights, in the
    # network's namespace and precision.
    pytest.importorskip("sklearn.callback")
    xp = pytest.importorskip("array_api_strict")
    from callback_helpers import Callback

    class Keeps(Callback):
        def __init__(self):
            self.coefs = []

        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name == "epoch":
                self.coefs.append(fitted_estimator.coefs_[0])
            return False

    X, y = digits32
    keeps = Keeps()
    with sklearn.config_context(array_api_dispatch=True):
        model = NumpyMLPClassifier(epochs=3, tol=None, random_state=0)
        model.set_callbacks(keeps).fit(xp.asarray(X), xp.asarray(y))
    assert len(keeps.coefs) == 3
    assert all(c.dtype == xp.float32 for c in keeps.coefs)
    first, last = np.asarray(keeps.coefs[0]), np.asarray(keeps.coefs[-1])
    assert not np.array_equal(first, last)
    assert_array_equal(last, np.asarray(model.coefs_[0]))
