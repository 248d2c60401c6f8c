"""Class weights, which the classifier multiplies into the sample weights."""

import numpy as np

# The class_weight parameter's entry in the classifier's documentation.
CLASS_WEIGHT_DOC = (
    "dict, 'balanced' or None",
    "Weights of the classes, multiplied into ``sample_weight``. 'balanced'\n"
    "weights class ``c`` by ``W / (n_classes * W_c)``, where ``W_c`` is the\n"
    "total sample weight of class ``c`` (its number of samples when no\n"
    "``sample_weight`` is given) and ``W`` that of all classes, as\n"
    "``sklearn.utils.class_weight.compute_class_weight`` does. Not used for\n"
    "multilabel targets. With ``partial_fit``, computed on each call's data.",
)


def class_weights(class_weight, y, sample_weight, classes):
    """Return the weight of each class, in the order of ``classes``.

    Parameters
    ----------
    class_weight : dict or 'balanced'
    y : ndarray of shape (n_samples,)
        Class indices into ``classes``.
    sample_weight : ndarray of shape (n_samples,) or None
    classes : ndarray of shape (n_classes,)

    'balanced' counts each class by its total sample weight, so that
    integer weights and repeated rows give the same class weights; a
    class absent from y gets weight 1.
    """
    if isinstance(class_weight, dict):
        unknown = [c for c in class_weight if c not in set(classes.tolist())]
        if unknown:
            raise ValueError(
                f"class_weight has labels {unknown} that are not in the "
                f"classes {classes.tolist()}. Give weights only to classes "
                "that occur in y."
            )
        weights = np.array(
            [class_weight.get(c, 1.0) for c in classes.tolist()], dtype=float
        )
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError(
                f"class_weight must map classes to finite, non-negative "
                f"weights, got {class_weight!r}."
            )
        return weights
    counts = np.bincount(y, weights=sample_weight, minlength=len(classes))
    present = counts > 0
    weights = np.ones(len(classes))
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights


def weighted_by_class(class_weight, y, sample_weight, classes, incremental, dtype):
    """Return the sample weights times the class weights (None if neither).

    A fit (not a ``partial_fit`` call, which sees part of the data) needs
    samples of two classes with positive weight.
    """
    if class_weight is not None:
        weights = class_weights(class_weight, y, sample_weight, classes).astype(dtype)
        if sample_weight is None:
            sample_weight = weights[y]
        else:
            sample_weight = sample_weight * weights[y]
    if sample_weight is not None and not incremental and sample_weight.sum() > 0:
        weighted = np.unique(y[sample_weight > 0])
        if weighted.size < 2:
            raise ValueError(
                "Only one class has a non-zero sample_weight "
                f"({classes[weighted[0]]}); the classifier "
                "needs samples of at least 2 classes with positive weight."
            )
    return sample_weight
