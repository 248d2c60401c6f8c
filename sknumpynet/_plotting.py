"""Pictures of a trained network: curves, confusion matrix, first-layer weights.

matplotlib is an optional extra (``pip install sknumpynet[plot]``).
"""

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_training_curves(clf, scores, path):
    """Save the training loss and held-out accuracy of every epoch to ``path``."""
    plt = _pyplot()
    fig, ax_loss = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(clf.loss_curve_) + 1)
    ax_loss.plot(epochs, clf.loss_curve_, color="tab:blue", label="training loss")
    ax_loss.set_xlabel("epoch")
    penalty = " + L2 penalty" if clf.l2 else ""
    ax_loss.set_ylabel(f"training loss (cross-entropy{penalty})", color="tab:blue")
    if len(scores):
        ax_acc = ax_loss.twinx()
        ax_acc.plot(epochs[: len(scores)], scores, color="tab:orange")
        ax_acc.set_ylabel("test accuracy", color="tab:orange")
    ax_loss.set_title("Training curves")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion_matrix(y_true, y_pred, path):
    """Save the confusion matrix of the predictions to ``path``."""
    from sklearn.metrics import ConfusionMatrixDisplay

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 6))
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=ax, colorbar=False)
    ax.set_title("Confusion matrix (test set)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_first_layer(clf, path, image_shape=None):
    """Save each first-layer unit's incoming weights drawn as an image."""
    plt = _pyplot()
    coef = clf.coefs_[0]
    n_features, n_units = coef.shape
    side = int(round(np.sqrt(n_features)))
    image_shape = image_shape or (side, side)
    n_shown = min(n_units, 64)
    n_cols = min(n_shown, 8)
    n_rows = int(np.ceil(n_shown / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(1.4 * n_cols, 1.4 * n_rows))
    for unit, ax in enumerate(np.ravel(axes)):
        ax.set_axis_off()
        if unit < n_shown:
            # A few border pixels are rarely lit and keep large weights; clip
            # them so that the shape of each unit's filter shows.
            vmax = np.percentile(np.abs(coef[:, unit]), 99) or 1.0
            ax.imshow(
                coef[:, unit].reshape(image_shape), cmap="RdBu", vmin=-vmax, vmax=vmax
            )
            ax.set_title(f"unit {unit}", fontsize=7)
    fig.suptitle("First-layer weights (red: positive, blue: negative)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
