"""``python -m sknumpynet draw [MODEL]``: a page where you draw a digit and watch.

Serves the page on ``http://127.0.0.1:PORT/``, prints the address and opens
it in the default browser. Without MODEL it uses the model that
``python -m sknumpynet`` saves, training it first when it is not there.
Errors are one line on stderr and exit status 2; Ctrl-C stops the server
with one line.
"""

import argparse
import socket
import sys
import webbrowser
from pathlib import Path

from .arguments import positive

DEFAULT_MODEL = Path("sknumpynet_output") / "model.joblib"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _parser():
    parser = argparse.ArgumentParser(
        prog="sknumpynet draw",
        description="Serve a page where you draw a digit and watch the network "
        "read it: the digit, the ten probabilities, the 28x28 input it sees and "
        "its first hidden layer. Load only model files you trust: joblib files "
        "run code when loaded.",
    )
    parser.add_argument(
        "model",
        nargs="?",
        type=Path,
        help=f"the model file that `python -m sknumpynet` saved (default: "
        f"{DEFAULT_MODEL}, trained first when it is not there)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8765,
        help="port to serve on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default: %(default)s, this machine only)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="do not open the page in a browser"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log a line per request on stderr"
    )
    train = parser.add_argument_group(
        "training, when the default model is not there yet"
    )
    train.add_argument(
        "--data-dir", type=Path, help="folder of the MNIST IDX files (as for training)"
    )
    train.add_argument("--epochs", type=positive(int), help="passes over the data")
    train.add_argument(
        "--n-train", type=positive(int), metavar="N", help="train on N images only"
    )
    return parser


def _error(message):
    print(f"sknumpynet draw: error: {message}", file=sys.stderr, flush=True)
    return 2


def _train_default(args):
    """Train and save the default model as ``python -m sknumpynet`` does."""
    from .train import main as train

    print(f"{DEFAULT_MODEL} is not there yet: training the default network first.")
    argv = ["--output-dir", str(DEFAULT_MODEL.parent)]
    for flag, value in [
        ("--data-dir", args.data_dir),
        ("--epochs", args.epochs),
        ("--n-train", args.n_train),
    ]:
        if value is not None:
            argv += [flag, str(value)]
    return train(argv)


def _server(args, reader):
    """Start serving, or raise OSError saying why the address cannot be used."""
    from .draw_server import DrawingServer

    server_class = DrawingServer
    if ":" in args.host:  # an IPv6 address

        class server_class(DrawingServer):  # noqa: N801
            address_family = socket.AF_INET6

    return server_class((args.host, args.port), reader, verbose=args.verbose)


def main(argv):
    """Run ``draw``; return the exit status."""
    from .draw_server import DigitReader
    from .predict import _load_model

    args = _parser().parse_args(argv)
    path = args.model
    if path is None:
        path = DEFAULT_MODEL
        if not path.exists():
            status = _train_default(args)
            if status:
                return status
    try:
        reader = DigitReader(_load_model(path))
    except (ValueError, OSError, ImportError) as exc:
        return _error(exc)
    try:
        server = _server(args, reader)
    except OSError as exc:
        return _error(f"cannot serve on {args.host}:{args.port}: {exc.strerror}")
    if args.host not in LOOPBACK:
        print(
            f"sknumpynet draw: warning: serving on {args.host}: anyone on that "
            "network can use this page.",
            file=sys.stderr,
        )
    host, port = server.server_address[:2]
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    print(f"Draw a digit at {url} (Ctrl-C to stop)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("sknumpynet draw: stopped.", file=sys.stderr)
    finally:
        server.server_close()
    return 0
