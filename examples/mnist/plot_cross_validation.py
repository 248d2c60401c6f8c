"""
Cross-validation
================

``cross_val_score`` of the default network, in a ``Pipeline`` with its
scaler, on a subset of MNIST: five folds, each drawn as a bar.
"""

import matplotlib.pyplot as plt
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier
from sknumpynet.example_tools import arguments, load, save


def main(quick=False, data_dir=None, output_dir=None):
    X, _, y, _, name = load(n_train=2000 if quick else 10000, data_dir=data_dir)
    clf = make_pipeline(
        MinMaxScaler(),
        NumpyMLPClassifier(epochs=5 if quick else 30, tol=None, random_state=0),
    )
    scores = cross_val_score(clf, X, y, cv=5, n_jobs=2)
    print(
        f"{name}, {len(y)} samples: accuracy {scores.mean():.4f} +/- {scores.std():.4f}"
    )
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(range(1, 6), scores, color="tab:blue")
    ax.axhline(scores.mean(), color="black", linestyle="--", label="mean")
    ax.set(
        xlabel="fold",
        ylabel="accuracy",
        ylim=(max(0.0, scores.min() - 0.05), 1.0),
        title=f"5-fold cross-validation on {len(y)} {name} images",
    )
    ax.legend(loc="lower right")
    fig.tight_layout()
    save(fig, output_dir, "cross_validation.png")
    return scores


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
