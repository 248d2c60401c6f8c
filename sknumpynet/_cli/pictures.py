"""Pictures of a trained network: curves, confusion matrix, first-layer weights.

matplotlib is an optional extra (``pip install sknumpynet[plot]``).
"""

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_training_curves(clf, scores, path, dataset="MNIST"):
    """Save the training loss and held-out accuracy of every epoch to ``path``."""
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    fig, ax_loss = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(clf.loss_curve_) + 1)
    ax_loss.plot(epochs, clf.loss_curve_, color="tab:blue", label="training loss")
    validation = getattr(clf, "validation_loss_curve_", None)
    if validation:
        ax_loss.plot(
            epochs[: len(validation)],
            validation,
            color="tab:blue",
            linestyle="--",
            label="validation loss",
        )
        ax_loss.legend(loc="upper center")
    ax_loss.set_xlabel("L-BFGS iteration" if clf.solver == "lbfgs" else "epoch")
    ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))
    penalty = " + L2 penalty" if clf.l2 else ""
    ax_loss.set_ylabel(f"training loss (cross-entropy{penalty})", color="tab:blue")
    if len(scores):
        ax_acc = ax_loss.twinx()
        ax_acc.plot(epochs[: len(scores)], scores, color="tab:orange")
        ax_acc.set_ylabel("test accuracy", color="tab:orange")
    ax_loss.set_title(f"Training curves on {dataset}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion_matrix(y_true, y_pred, path, dataset="MNIST"):
    """Save the confusion matrix of the predictions to ``path``."""
    from sklearn.metrics import ConfusionMatrixDisplay

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 6))
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=ax, colorbar=False)
    ax.set_title(f"Confusion matrix ({dataset} test set)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def grid_shape(n):
    """Return (rows, columns) for ``n`` pictures: full rows where possible.

    The fewest columns from ``sqrt(n)`` up to 12 that divide ``n``; when none
    does, ``ceil(sqrt(n))`` columns.
    """
    start = int(np.ceil(np.sqrt(n)))
    for n_cols in range(start, min(n, 12) + 1):
        if n % n_cols == 0:
            return n // n_cols, n_cols
    return int(np.ceil(n / start)), start


def plot_first_layer(clf, path, image_shape=None, dataset="MNIST", max_units=64):
    """Save each first-layer unit's incoming weights drawn as an image.

    All units share one symmetric colour scale (red positive, blue negative),
    shown by a colourbar. At most ``max_units`` units are drawn; the title,
    which is returned, says so when there are more.
    """
    plt = _pyplot()
    coef = clf.coefs_[0]
    n_features, n_units = coef.shape
    side = int(round(np.sqrt(n_features)))
    image_shape = image_shape or (side, side)
    n_shown = min(n_units, max_units)
    n_rows, n_cols = grid_shape(n_shown)
    # A few border pixels are rarely lit and keep large weights; the 99th
    # percentile keeps them from washing out the shape of every filter.
    vmax = float(np.percentile(np.abs(coef[:, :n_shown]), 99)) or 1.0
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(1.5 * n_cols + 1.2, 1.5 * n_rows + 0.8), squeeze=False
    )
    for unit, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if unit < n_shown:
            image = ax.imshow(
                coef[:, unit].reshape(image_shape), cmap="RdBu", vmin=-vmax, vmax=vmax
            )
            ax.set_title(f"unit {unit}", fontsize=7)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    shown = (
        f"all {n_units} units"
        if n_shown == n_units
        else (f"the first {n_shown} of {n_units} units")
    )
    title = f"First-layer weights on {dataset}, {shown}"
    fig.suptitle(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return title
