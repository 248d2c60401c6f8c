"""The server of the drawing page: the standard library's ``http.server``.

``GET /`` is the page and ``GET /static/NAME`` its assets, from the
package's ``draw_page`` folder and nowhere else; ``GET /model`` describes
the network (its layers and its first layer's weights, a 28x28 tile per
unit); ``POST /predict`` takes a drawing, ``{"image": "data:image/png;
base64,..."}``, makes it MNIST's way (the code of ``load_digit_images``)
and answers the digit read, the ten probabilities, the 28x28 input and the
first hidden layer's activations. A bad request gets a 4xx answer
``{"error": "..."}`` and the server goes on; nothing a request sends is
unpickled.
"""

import base64
import binascii
import io
import json
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline

from .._math.activations import ACTIVATIONS
from .._math.network import logits
from ..datasets._images import ImageTooLarge, NoDigit, read_digit

PAGE = Path(__file__).with_name("draw_page")
# The largest request body read: a pad's PNG is some 10 to 50 kB.
MAX_BODY = 4 * 1024 * 1024
# First-layer units shown as tiles: all ten of the default network.
MAX_TILES = 16
DOCS = "https://sknumpynet.readthedocs.io/en/stable/user_guide/backpropagation.html"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
DATA_URL = re.compile(r"data:image/(?:png|jpeg);base64,(.*)", re.DOTALL)
ROUTES = {"/": "GET", "/model": "GET", "/predict": "POST"}


class RequestError(Exception):
    """A request the page cannot answer: its HTTP status and what was wrong."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class DigitReader:
    """What the page shows of a model: its first layer, and how it reads a drawing.

    Parameters
    ----------
    model : Pipeline or NumpyMLPClassifier
        A classifier of MNIST's 784 pixels, as ``python -m sknumpynet``
        saves it (a MinMaxScaler, then the network).
    """

    def __init__(self, model):
        self.model = model
        if isinstance(model, Pipeline):
            self.network = model.steps[-1][1]
            self.prepare = Pipeline(model.steps[:-1]).transform
        else:
            self.network, self.prepare = model, np.asarray

    def describe(self):
        """Return the network as the page draws it (``GET /model``)."""
        network = self.network
        weights = np.asarray(network.coefs_[0], dtype=float)
        shown = min(weights.shape[1], MAX_TILES)
        return {
            "layers": [network.n_features_in_, *network.hidden_layer_sizes, 10],
            "activation": network.activation,
            "epochs": int(network.n_iter_),
            "loss": float(network.loss_),
            "classes": [str(c) for c in network.classes_],
            "units": [np.round(weights[:, j], 5).tolist() for j in range(shown)],
            "n_units": int(weights.shape[1]),
            "docs": DOCS,
        }

    def read(self, image):
        """Return the reading of a drawing, PNG or JPEG bytes (``POST /predict``)."""
        try:
            frame = read_digit(io.BytesIO(image), name="the drawing")
        except NoDigit as exc:
            blank = "is blank" in str(exc)
            raise RequestError(422, "no ink" if blank else str(exc)) from None
        except ImageTooLarge as exc:
            raise RequestError(413, str(exc)) from None
        except ValueError as exc:
            raise RequestError(400, str(exc)) from None
        X = (frame.reshape(1, -1) * 255.0).astype(np.float32)
        proba = self.model.predict_proba(X)[0]
        network = self.network
        # The first hidden layer: the network's own forward pass, one layer.
        Z = logits(
            self.prepare(X), network.coefs_[:1], network.intercepts_[:1], "identity"
        )
        hidden = ACTIVATIONS[network.activation](np.asarray(Z, dtype=float), np)[0]
        return {
            "digit": int(network.classes_[np.argmax(proba)]),
            "probabilities": [float(p) for p in proba],
            "input": np.round(frame * 255).astype(int).tolist(),
            "hidden": [float(h) for h in hidden[:MAX_TILES]],
        }


class DrawingServer(ThreadingHTTPServer):
    """The page's server: a :class:`DigitReader` of the model, the assets."""

    daemon_threads = True

    def __init__(self, address, reader, verbose=False):
        self.reader, self.verbose = reader, verbose
        # The only files ever served, by name: nothing outside this folder.
        self.assets = {
            path.name: path
            for path in PAGE.iterdir()
            if path.suffix in CONTENT_TYPES and path.name != "index.html"
        }
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    """Answers the page's requests; a bad one gets a JSON error, never a traceback."""

    server_version = "sknumpynet-draw"

    def log_message(self, format, *args):
        """Log one line per request, with ``--verbose`` only."""
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self):
        """Serve the page, its assets and the model's description."""
        self._answer("GET")

    def do_POST(self):
        """Read a drawing."""
        self._answer("POST")

    def do_PUT(self):
        """Refuse: the page has nothing to put."""
        self._answer("PUT")

    do_DELETE = do_PATCH = do_HEAD = do_PUT

    def _answer(self, method):
        path = self.path.split("?", 1)[0]
        try:
            if path.startswith("/static/"):
                self._allow(method, "GET")
                asset = self.server.assets.get(path[len("/static/") :])
                if asset is None:
                    raise RequestError(404, f"no such file: {path}")
                self._send_file(asset)
            elif path not in ROUTES:
                raise RequestError(404, f"no such page: {path}")
            else:
                self._allow(method, ROUTES[path])
                if path == "/":
                    self._send_file(PAGE / "index.html")
                elif path == "/model":
                    self._send_json(200, self.server.reader.describe())
                else:
                    self._send_json(200, self.server.reader.read(self._image()))
        except RequestError as exc:
            self._send_json(exc.status, {"error": str(exc)})
        except Exception as exc:  # one line, and the server goes on
            message = " ".join(f"{type(exc).__name__}: {exc}".split())
            self._send_json(500, {"error": f"internal error: {message}"})

    def _allow(self, method, allowed):
        if method != allowed:
            self._allowed = allowed
            raise RequestError(405, f"{method} is not allowed here; use {allowed}")

    def _image(self):
        """Return the image bytes of the request's JSON body."""
        length = self.headers.get("Content-Length")
        if length is None:
            raise RequestError(411, "a body needs its Content-Length")
        try:
            length = int(length)
        except ValueError:
            message = f"Content-Length is not a number: {length}"
            raise RequestError(400, message) from None
        if length > MAX_BODY:
            self.close_connection = True  # the rest of the body stays unread
            raise RequestError(
                413, f"the body has {length} bytes, more than {MAX_BODY} allowed"
            )
        try:
            body = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError):
            raise RequestError(400, "the body is not JSON") from None
        if not isinstance(body, dict) or "image" not in body:
            raise RequestError(
                400, 'no image: send {"image": "data:image/png;base64,..."}'
            )
        match = (
            DATA_URL.fullmatch(body["image"])
            if isinstance(body["image"], str)
            else None
        )
        if match is None:
            raise RequestError(400, "image is not a data URL of a PNG or JPEG")
        try:
            return base64.b64decode(match.group(1), validate=True)
        except binascii.Error:
            raise RequestError(400, "image is not valid base64") from None

    def _send_file(self, path):
        self._send(200, path.read_bytes(), CONTENT_TYPES[path.suffix])

    def _send_json(self, status, payload):
        body = json.dumps(payload).encode()
        self._send(status, body, "application/json")

    def _send(self, status, body, content_type):
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == 405:
            self.send_header("Allow", self._allowed)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
