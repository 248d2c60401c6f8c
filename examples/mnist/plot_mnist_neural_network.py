"""
The original project's network, reproduced and improved
========================================================

"Neural Network from Scratch with Numpy": 784 inputs, 10 tanh hidden units, a
softmax layer of 10, learning rate 0.1, minibatches of 32, 100 epochs; it
reached 92.2 % on the MNIST test set.
``NumpyMLPClassifier(learning_rate="constant", l2=0)`` is that network trained
as it was. ``NumpyMLPClassifier()`` is the same network trained with a slowly
falling step size (``alpha / (t + 1) ** 0.1`` after the first epoch, ``t`` the
samples seen) and scikit-learn's small L2 penalty (``l2=1e-4``), which settle
the epoch-to-epoch swings of the constant step. The picture shows the training
loss of both per epoch.
"""

import time

import matplotlib.pyplot as plt
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknumpynet import NumpyMLPClassifier
from sknumpynet.example_tools import arguments, load, save


def main(quick=False, data_dir=None, output_dir=None):
    X_train, X_test, y_train, y_test, name = load(
        n_train=5000 if quick else None, data_dir=data_dir
    )
    accuracies = {}
    fig, ax = plt.subplots(figsize=(6, 4))
    original = {"learning_rate": "constant", "l2": 0.0}
    for label, params in [("original training", original), ("default", {})]:
        clf = make_pipeline(
            MinMaxScaler(),
            NumpyMLPClassifier(
                epochs=5 if quick else 100, tol=None, random_state=0, **params
            ),
        )
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        accuracies[label] = accuracy = clf.score(X_test, y_test)
        print(
            f"{name}, {label}: test accuracy {accuracy:.2%} "
            f"(train {clf.score(X_train, y_train):.2%}) after {clf[-1].n_iter_} "
            f"epochs in {time.perf_counter() - start:.1f}s"
        )
        curve = clf[-1].loss_curve_
        ax.plot(range(1, len(curve) + 1), curve, label=f"{label}: {accuracy:.2%}")
    print("The original project: 92.2 % on MNIST.")
    ax.set(
        xlabel="epoch",
        ylabel="training loss",
        title=f"784-10-10 tanh network on {name} (legend: test accuracy)",
    )
    ax.legend()
    fig.tight_layout()
    save(fig, output_dir, "mnist_neural_network.png")
    return accuracies


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
