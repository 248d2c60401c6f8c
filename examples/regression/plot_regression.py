"""
Regression on Friedman's benchmark function
===========================================

``make_friedman1`` draws 10 uniform features of which 5 matter, through a
sine, a square and two linear terms, plus noise. The regressor learns it with
early stopping on a held-out tenth of the training set, and the picture shows
the predictions against the true values of the test set, and the training
and validation losses per epoch.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import NumpyMLPRegressor
from sknumpynet.example_tools import arguments, save


def main(quick=False, data_dir=None, output_dir=None):
    X, y = make_friedman1(n_samples=1000 if quick else 5000, noise=0.5, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = make_pipeline(
        StandardScaler(),
        NumpyMLPRegressor(early_stopping=True, epochs=500, random_state=0),
    ).fit(X_train, y_train)
    reg = model[-1]
    r2 = model.score(X_test, y_test)
    print(
        f"Friedman #1, {len(y_train)} training samples: test R² {r2:.4f} after "
        f"{reg.n_iter_} epochs (best validation R² {reg.best_validation_score_:.4f})"
    )
    fig, (ax_pred, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.5))
    y_pred = model.predict(X_test)
    ax_pred.scatter(y_test, y_pred, s=8, alpha=0.5)
    low, high = min(y_test.min(), y_pred.min()), max(y_test.max(), y_pred.max())
    ax_pred.plot([low, high], [low, high], color="black", linewidth=1)
    ax_pred.set(
        xlabel="true value",
        ylabel="predicted value",
        title=f"Test set: R² = {r2:.3f}",
    )
    epochs = range(1, len(reg.loss_curve_) + 1)
    ax_loss.plot(epochs, reg.loss_curve_, label="training (with L2 penalty)")
    ax_loss.plot(epochs, reg.validation_loss_curve_, label="validation")
    ax_loss.axvline(
        1 + reg.validation_loss_curve_.index(reg.best_validation_loss_),
        color="grey",
        linestyle=":",
        label="epoch kept",
    )
    ax_loss.set(
        xlabel="epoch",
        ylabel="half squared error",
        yscale="log",
        title="Loss per epoch",
    )
    ax_loss.legend()
    fig.tight_layout()
    save(fig, output_dir, "regression.png")
    return model, r2


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
