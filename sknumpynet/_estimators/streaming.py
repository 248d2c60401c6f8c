"""Out-of-core training: ``partial_fit`` over data that does not fit in memory."""

import numpy as np


def iter_chunks(X, y, chunk_size=10_000):
    """Yield ``(X_chunk, y_chunk)`` in order, one chunk in memory at a time.

    For a :class:`numpy.memmap`, each chunk is mapped on its own, copied into
    memory and unmapped before the next one, so the pages of the file that
    were read do not stay resident: memory stays flat however large the file.

    Parameters
    ----------
    X : ndarray, numpy.memmap or array-like of shape (n_samples, n_features)
        The samples; anything that can be sliced by rows.
    y : array-like of shape (n_samples,)
        The targets (small enough to hold in memory).
    chunk_size : int, default=10_000
        Number of rows per chunk.

    Yields
    ------
    X_chunk : ndarray of shape (chunk_size, n_features)
    y_chunk : ndarray of shape (chunk_size,)
    """
    n_samples = X.shape[0]
    mapped = isinstance(X, np.memmap) and X.filename is not None and X.ndim == 2
    if mapped and not X.flags.c_contiguous:
        raise ValueError("iter_chunks needs a C-ordered memmap (rows contiguous).")
    for start in range(0, n_samples, chunk_size):
        stop = min(start + chunk_size, n_samples)
        if mapped:
            row_bytes = X.dtype.itemsize * X.shape[1]
            chunk = np.memmap(
                X.filename,
                dtype=X.dtype,
                mode="r",
                offset=X.offset + start * row_bytes,
                shape=(stop - start, X.shape[1]),
            )
            X_chunk = np.array(chunk)
            # Unmap now: the file's pages must not pile up in resident memory.
            chunk._mmap.close()
            del chunk
        else:
            X_chunk = np.asarray(X[start:stop])
        yield X_chunk, np.asarray(y[start:stop])
        # Let go of this chunk before the next is read: one in memory at a time.
        del X_chunk


def partial_fit_chunks(
    estimator, X, y, *, classes=None, chunk_size=10_000, epochs=1, verbose=0
):
    """Train ``estimator`` with ``partial_fit`` on X, chunk after chunk.

    One call of ``partial_fit`` is one epoch over one chunk; ``epochs`` passes
    go over all chunks in order. Only one chunk is in memory at a time (see
    :func:`iter_chunks`), so X can be a :class:`numpy.memmap` larger than the
    machine's memory.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        For example ``NumpyMLPClassifier()``; trained in place.
    X : ndarray, numpy.memmap or array-like of shape (n_samples, n_features)
        The samples.
    y : array-like of shape (n_samples,)
        The targets.
    classes : array-like, default=None
        All classes, required unless the estimator was already trained.
    chunk_size : int, default=10_000
        Number of rows per ``partial_fit`` call.
    epochs : int, default=1
        Passes over the whole of X.
    verbose : int, default=0
        Print one line per pass.

    Returns
    -------
    estimator : estimator
        The trained estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpynet import NumpyMLPClassifier, partial_fit_chunks
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(1000, 5)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = partial_fit_chunks(
    ...     NumpyMLPClassifier(random_state=0), X, y, classes=[0, 1], chunk_size=250
    ... )
    >>> clf.n_iter_
    4
    """
    for epoch in range(epochs):
        for X_chunk, y_chunk in iter_chunks(X, y, chunk_size):
            estimator.partial_fit(X_chunk, y_chunk, classes=classes)
            del X_chunk, y_chunk  # before iter_chunks reads the next one
        if verbose:
            print(
                f"pass {epoch + 1}/{epochs}: loss of last chunk {estimator.loss_:.4f}"
            )
    return estimator
