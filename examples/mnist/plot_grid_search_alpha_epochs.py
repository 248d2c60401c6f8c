"""
Grid search and successive halving over the learning rate and the epochs
========================================================================

A search over the original project's ``alpha`` (learning rate) and
``epochs``, the two parameters its users tune, by ``MLPGridSearchCV``: each
learning rate trains once per fold, all of them side by side, and is scored
at every epoch count on the way. The same search by scikit-learn's
``GridSearchCV`` trains every candidate from scratch; both are timed here,
and their scores are the same. The left picture is a heat-map of the
cross-validated accuracy, with both times in its title.

``MLPHalvingGridSearchCV`` searches more learning rates with fewer epochs:
each round scores its candidates, keeps the best half and trains them on
from where the round left them. The right picture shows its rounds: the
epochs of each round, its candidates' accuracy, and which ones went on.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import MLPGridSearchCV, MLPHalvingGridSearchCV, NumpyMLPClassifier
from sknumpynet.example_tools import arguments, load, save


def main(quick=False, data_dir=None, output_dir=None):
    X_train, X_test, y_train, y_test, name = load(
        n_train=2000 if quick else 10000, data_dir=data_dir
    )
    alphas = [0.01, 0.1, 0.5]
    epochs = [2, 5] if quick else [5, 20, 50]
    pipeline = make_pipeline(
        MinMaxScaler(), NumpyMLPClassifier(tol=None, random_state=0)
    )
    grid = {
        "numpymlpclassifier__alpha": alphas,
        "numpymlpclassifier__epochs": epochs,
    }
    seconds = {}
    for cls in (MLPGridSearchCV, GridSearchCV):
        start = time.perf_counter()
        search = cls(pipeline, grid, cv=3).fit(X_train, y_train)
        seconds[cls.__name__] = time.perf_counter() - start
        if cls is MLPGridSearchCV:
            result = search
        else:
            same = np.allclose(
                result.cv_results_["mean_test_score"],
                search.cv_results_["mean_test_score"],
                atol=0.01,
            )
            print(f"GridSearchCV's mean scores within 0.01 of these: {same}")
    search = result
    print(
        f"MLPGridSearchCV {seconds['MLPGridSearchCV']:.1f}s, "
        f"GridSearchCV {seconds['GridSearchCV']:.1f}s"
    )
    scores = search.cv_results_["mean_test_score"].reshape(len(alphas), len(epochs))
    print(f"{name}: best {search.best_params_}, CV accuracy {search.best_score_:.4f}")
    print(f"test accuracy of the refitted best: {search.score(X_test, y_test):.4f}")
    halving = halving_rounds(pipeline, X_train, y_train, quick)
    fig, (ax, rounds_ax) = plt.subplots(1, 2, figsize=(10, 4))
    image = ax.imshow(scores, cmap="viridis")
    ax.set_xticks(range(len(epochs)), epochs)
    ax.set_yticks(range(len(alphas)), alphas)
    ax.set_xlabel("epochs")
    ax.set_ylabel("alpha (learning rate)")
    for (i, j), score in np.ndenumerate(scores):
        ax.text(j, i, f"{score:.3f}", ha="center", va="center", color="w")
    fig.colorbar(image, ax=ax, label="mean CV accuracy")
    ax.set_title(
        f"{name}: MLPGridSearchCV {seconds['MLPGridSearchCV']:.1f} s\n"
        f"(GridSearchCV {seconds['GridSearchCV']:.1f} s, "
        f"{'the same scores' if same else 'other scores'})",
        fontsize=10,
    )
    draw_rounds(rounds_ax, halving)
    fig.tight_layout()
    save(fig, output_dir, "grid_search.png")
    return search


def halving_rounds(pipeline, X, y, quick):
    """Successive halving over 8 learning rates, each round training on."""
    halving = MLPHalvingGridSearchCV(
        pipeline,
        {"numpymlpclassifier__alpha": np.geomspace(0.005, 0.5, 8)},
        resource="numpymlpclassifier__epochs",
        min_resources=1 if quick else 5,
        max_resources=8 if quick else 40,
        factor=2,
        cv=3,
    ).fit(X, y)
    for i, (n, e) in enumerate(zip(halving.n_candidates_, halving.n_resources_)):
        print(f"halving round {i + 1}: {n} candidate(s) trained to {e} epochs")
    best = halving.best_params_["numpymlpclassifier__alpha"]
    print(f"halving: best alpha {best:.3g}, CV accuracy {halving.best_score_:.4f}")
    return halving


def draw_rounds(ax, halving):
    """Each candidate's accuracy round after round; a line while it goes on."""
    results = halving.cv_results_
    alphas = np.array([p["numpymlpclassifier__alpha"] for p in results["params"]])
    for alpha in np.unique(alphas):
        mine = alphas == alpha
        ax.plot(
            results["n_resources"][mine],
            results["mean_test_score"][mine],
            "o-",
            label=f"alpha {alpha:.3g}",
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(halving.n_resources_, halving.n_resources_)
    ax.set_xlabel("epochs (the round's resource)")
    ax.set_ylabel("mean CV accuracy")
    counts = ", ".join(str(n) for n in halving.n_candidates_)
    ax.set_title(f"MLPHalvingGridSearchCV: {counts} candidates per round", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
