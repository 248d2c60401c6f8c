"""The command line: ``python -m sknumpynet`` (or the ``sknumpynet`` command).

``train.py`` trains and evaluates the network on MNIST (the default
command, its options in ``arguments.py``, its pictures in ``pictures.py``);
``predict.py`` asks a saved model about your own digit images; ``draw.py``
serves a page where you draw a digit and watch the network read it
(``draw_server.py``, with the page in ``draw_page/``).
"""

import sys


def main(argv=None):
    """Run the command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["predict"]:
        from .predict import main as predict

        return predict(argv[1:])
    if argv[:1] == ["draw"]:
        from .draw import main as draw

        return draw(argv[1:])
    from .train import main as train

    return train(argv)
