"""Scale-out on a real dask.distributed cluster, and out-of-core training."""

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sknumpynet import (
    MLPGridSearchCV,
    NumpyMLPClassifier,
    iter_chunks,
    partial_fit_chunks,
)

distributed = pytest.importorskip("dask.distributed")


def _cluster(dashboard_address=None):
    """Two worker processes on loopback, one thread each."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=dashboard_address,
    )


@pytest.fixture(scope="module")
def client():
    with _cluster() as cluster, distributed.Client(cluster) as client:
        yield client


def _search():
    return GridSearchCV(
        NumpyMLPClassifier(tol=None, random_state=0),
        {"alpha": [0.05, 0.2], "epochs": [2, 4]},
        cv=3,
    )


def test_grid_search_on_dask_equals_serial(client, digits):
    X, y = digits
    serial = _search().fit(X, y)
    with joblib.parallel_backend("dask"):
        on_dask = _search().fit(X, y)
    assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_array_equal(
        serial.cv_results_["mean_test_score"], on_dask.cv_results_["mean_test_score"]
    )
    assert serial.best_params_ == on_dask.best_params_
    np.testing.assert_array_equal(
        serial.best_estimator_.coefs_[0], on_dask.best_estimator_.coefs_[0]
    )


def test_mlp_grid_search_on_dask_equals_grid_search(client, digits):
    X, y = digits
    grid = {
        "hidden_layer_sizes": [(8,), (10,)],
        "alpha": [0.05, 0.2],
        "epochs": [2, 4],
    }
    estimator = NumpyMLPClassifier(tol=None, random_state=0)
    reference = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    with joblib.parallel_backend("dask"):
        on_dask = MLPGridSearchCV(estimator, grid, cv=3).fit(X, y)
    assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
        atol=0.01,
    )
    assert on_dask.best_params_ == reference.best_params_


def test_dask_ml_incremental_over_chunked_dask_array(client, digits):
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = digits
    X_d = da.from_array(X.astype(np.float32), chunks=300)
    y_d = da.from_array(y, chunks=300)
    inc = wrappers.Incremental(
        NumpyMLPClassifier(random_state=0), scoring="accuracy", shuffle_blocks=False
    )
    inc.fit(X_d, y_d, classes=np.arange(10))
    # One partial_fit per block of 300 rows, in order: the same network as
    # calling partial_fit on the blocks by hand.
    manual = NumpyMLPClassifier(random_state=0)
    for start in range(0, len(y), 300):
        manual.partial_fit(
            X[start : start + 300].astype(np.float32),
            y[start : start + 300],
            classes=np.arange(10),
        )
    assert inc.estimator_.n_iter_ == len(X_d.chunks[0]) == 6
    np.testing.assert_array_equal(inc.estimator_.coefs_[0], manual.coefs_[0])
    assert inc.score(X_d, y_d) == pytest.approx(manual.score(X, y))
    assert inc.score(X_d, y_d) > 0.3  # six short epochs: well above chance (0.1)


def test_memmap_chunks_train_like_in_memory_chunks(tmp_path, digits):
    X, y = digits
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    X_disk = np.load(path, mmap_mode="r")
    chunks = list(iter_chunks(X_disk, y, chunk_size=500))
    assert [len(c[0]) for c in chunks] == [500, 500, 500, 297]
    assert not any(isinstance(c[0], np.memmap) for c in chunks)
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks]), X_disk)

    streamed = partial_fit_chunks(
        NumpyMLPClassifier(random_state=0),
        X_disk,
        y,
        classes=np.arange(10),
        chunk_size=500,
        epochs=2,
    )
    manual = NumpyMLPClassifier(random_state=0)
    for _ in range(2):
        for start in range(0, len(y), 500):
            manual.partial_fit(
                X[start : start + 500].astype(np.float32),
                y[start : start + 500],
                classes=np.arange(10),
            )
    np.testing.assert_array_equal(streamed.coefs_[0], manual.coefs_[0])
    assert streamed.n_iter_ == 8


def test_a_search_survives_a_worker_killed_in_the_middle(digits):
    import os
    import signal
    import threading
    import time

    X, y = digits
    grid = {"alpha": list(np.geomspace(0.01, 0.3, 8)), "epochs": [4, 12]}
    estimator = NumpyMLPClassifier(tol=None, random_state=0)
    reference = MLPGridSearchCV(estimator, grid, cv=3).fit(X, y)
    # A cluster of its own (the module's has the default dashboard port).
    with _cluster(":0") as cluster, distributed.Client(cluster) as client:
        victim = next(iter(client.run(os.getpid).values()))
        killed = {}

        def kill_when_busy():
            # As soon as the victim runs a task of the search, kill its process.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if any(client.processing().values()):
                    time.sleep(0.5)
                    os.kill(victim, signal.SIGKILL)
                    killed["at"] = time.monotonic()
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        # X and y on every worker (broadcast): one worker's death loses
        # nothing of them (joblib would scatter them to one worker only).
        with joblib.parallel_backend("dask", scatter=[X, y]):
            search = MLPGridSearchCV(estimator, grid, cv=3).fit(X, y)
        finished = time.monotonic()
        killer.join()
        assert "at" in killed and killed["at"] < finished  # killed mid-search
        assert victim not in client.run(os.getpid).values()  # a new worker
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(
            search.cv_results_[key], reference.cv_results_[key]
        )
    assert search.best_params_ == reference.best_params_
