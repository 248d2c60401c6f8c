"""
Grid search on a dask.distributed cluster
=========================================

``GridSearchCV`` through joblib's dask backend. Starts a LocalCluster of two
worker processes on this machine. To use a real cluster, connect to its
scheduler instead: ``Client("tcp://scheduler:8786")``. Needs
``pip install "sknumpynet[distributed]"``. The picture compares the
cross-validated accuracy of each candidate, serial and on the cluster: the
same fits, so the same scores.
"""

import time

import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier
from sknumpynet.example_tools import arguments, load, save


def make_search():
    return GridSearchCV(
        make_pipeline(MinMaxScaler(), NumpyMLPClassifier(tol=None, random_state=0)),
        {
            "numpymlpclassifier__alpha": [0.05, 0.1],
            "numpymlpclassifier__epochs": [3, 6],
        },
        cv=3,
    )


def main(quick=False, data_dir=None, output_dir=None):
    X, _, y, _, name = load(n_train=2000 if quick else 20000, data_dir=data_dir)
    start = time.perf_counter()
    serial = make_search().fit(X, y)
    serial_time = time.perf_counter() - start

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            distributed = make_search().fit(X, y)
        dask_time = time.perf_counter() - start
    print(
        f"{name}: best {distributed.best_params_} (serial: {serial.best_params_}), "
        f"n_jobs=1 {serial_time:.1f}s, 2 dask workers {dask_time:.1f}s"
    )
    fig, ax = plt.subplots(figsize=(6, 3.5))
    candidates = np.arange(len(serial.cv_results_["params"]))
    for offset, (label, search, seconds) in zip(
        (-0.2, 0.2),
        [("n_jobs=1", serial, serial_time), ("2 dask workers", distributed, dask_time)],
    ):
        ax.bar(
            candidates + offset,
            search.cv_results_["mean_test_score"],
            width=0.4,
            label=f"{label} ({seconds:.1f} s)",
        )
    ax.set_xticks(
        candidates,
        [
            f"alpha={p['numpymlpclassifier__alpha']}\n"
            f"epochs={p['numpymlpclassifier__epochs']}"
            for p in serial.cv_results_["params"]
        ],
    )
    ax.set(ylabel="mean CV accuracy", title=f"GridSearchCV on {name}")
    ax.legend(loc="lower right")
    fig.tight_layout()
    save(fig, output_dir, "distributed_grid_search.png")
    return serial, distributed, serial_time, dask_time


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
