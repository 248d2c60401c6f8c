"""5-fold cross_val_score of the default network on a subset of MNIST."""

from _data import arguments, load
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier


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
    return scores


if __name__ == "__main__":
    main(**arguments(__doc__.splitlines()[0]))
