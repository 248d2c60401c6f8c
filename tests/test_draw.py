"""``python -m sknumpynet draw``: its server in a process, its page in a browser."""

import base64
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import joblib
import numpy as np
import pytest
from processes import default_sigint

from sknumpynet.datasets import load_digit_images

Image = pytest.importorskip("PIL.Image")


class Served:
    """``python -m sknumpynet draw ...`` running in a process of its own."""

    def __init__(self, *args, cwd=None, timeout=300):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sknumpynet", "draw", "--no-browser", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ,
            preexec_fn=default_sigint,
        )
        self.lines = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if line.startswith("Draw a digit at "):
                self.url = line.split("Draw a digit at ")[1].split(" ")[0]
                return
        self.stop()
        raise AssertionError(f"no address printed: {self.lines} {self.stderr}")

    def stop(self):
        """Ctrl-C it; return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, self.stderr = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, self.stderr = self.process.communicate()
        return self.process.returncode

    def request(self, path, body=None, method=None, headers=None):
        """Return the status and the decoded JSON (or bytes) of a request."""
        request = urllib.request.Request(
            self.url.rstrip("/") + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, content, kind = (
                    response.status,
                    response.read(),
                    response.headers["Content-Type"],
                )
        except urllib.error.HTTPError as error:
            status, content, kind = (
                error.code,
                error.read(),
                error.headers["Content-Type"],
            )
        return status, json.loads(content) if kind == "application/json" else content


def _png(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def _predict_body(png):
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    return json.dumps({"image": url}).encode()


def _drawn(x):
    """An MNIST digit as a user would draw it: dark on white, ten times larger."""
    digit = Image.fromarray(255 - x.reshape(28, 28).astype(np.uint8))
    return _png(np.asarray(digit.resize((280, 280), Image.Resampling.BILINEAR)))


@pytest.fixture(scope="module")
def server(cli_model):
    served = Served(str(cli_model), "--port", "0")
    yield served
    served.stop()


def test_answers_equal_predict_proba_of_load_digit_images(
    server, cli_model, mnist, tmp_path
):
    _, X_test, _, _ = mnist
    model = joblib.load(cli_model)
    for i in range(20):
        png = _drawn(X_test[i])
        status, answer = server.request("/predict", _predict_body(png), "POST")
        assert status == 200, answer
        (tmp_path / f"{i}.png").write_bytes(png)
        X = load_digit_images(tmp_path / f"{i}.png")
        proba = model.predict_proba(X.astype(np.float32))[0]
        assert answer["digit"] == int(np.argmax(proba))
        np.testing.assert_allclose(answer["probabilities"], proba, rtol=1e-6)
        assert answer["input"] == np.round(X.reshape(28, 28)).astype(int).tolist()
        assert len(answer["hidden"]) == 10
        assert all(-1 <= h <= 1 for h in answer["hidden"])  # tanh units


def test_the_model_is_described_with_its_first_layer(server, cli_model):
    status, model = server.request("/model")
    assert status == 200
    network = joblib.load(cli_model).steps[-1][1]
    assert model["layers"] == [784, 10, 10] and model["activation"] == "tanh"
    assert model["epochs"] == network.n_iter_ and len(model["units"]) == 10
    np.testing.assert_allclose(np.array(model["units"]).T, network.coefs_[0], atol=1e-5)


def test_bad_requests_get_a_4xx_json_error_and_the_server_goes_on(server, tmp_path):
    from test_images import _png_header_only

    blank = _predict_body(_png(np.full((280, 280), 255, dtype=np.uint8)))
    _png_header_only(tmp_path / "huge.png", 15000, 13000)
    huge = _predict_body((tmp_path / "huge.png").read_bytes())
    cases = [
        (("/predict", b"not json", "POST"), 400, "the body is not JSON"),
        (("/predict", b'{"picture": 1}', "POST"), 400, "no image"),
        (("/predict", b'{"image": 42}', "POST"), 400, "not a data URL"),
        (
            ("/predict", b'{"image": "data:text/plain;base64,aGk="}', "POST"),
            400,
            "not a data URL of a PNG or JPEG",
        ),
        (
            ("/predict", b'{"image": "data:image/png;base64,!!"}', "POST"),
            400,
            "not valid base64",
        ),
        (
            ("/predict", _predict_body(b"GIF89a not a png"), "POST"),
            400,
            "not an image that Pillow can read",
        ),
        (("/predict", blank, "POST"), 422, "no ink"),
        (("/predict", huge, "POST"), 413, "larger than 120 megapixels"),
        (("/predict", None, "GET"), 405, "GET is not allowed here; use POST"),
        (("/", b"{}", "POST"), 405, "POST is not allowed here; use GET"),
        (("/model", b"{}", "PUT"), 405, "PUT is not allowed"),
        (("/nothing",), 404, "no such page"),
        (("/static/../draw.py",), 404, "no such file"),
        (("/static/%2e%2e/draw.py",), 404, "no such file"),
        (("/static/draw_server.py",), 404, "no such file"),
    ]
    for args, status, message in cases:
        got, answer = server.request(*args)
        assert got == status, (args, answer)
        assert message in answer["error"], (args, answer)
    assert server.request("/model")[0] == 200  # still serving


def test_a_body_over_4_mb_is_refused_unread(server):
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    # The body announced is never sent: a server that read it would hang.
    connection.putrequest("POST", "/predict")
    connection.putheader("Content-Length", str(5 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert "more than 4194304 allowed" in json.loads(response.read())["error"]
    connection.close()
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/predict")  # no Content-Length at all
    connection.endheaders()
    assert connection.getresponse().status == 411
    connection.close()
    assert server.request("/model")[0] == 200


def test_eight_clients_at_once_are_all_answered(server, mnist):
    _, X_test, _, _ = mnist
    bodies = [_predict_body(_drawn(X_test[i])) for i in range(8)]
    expected = [server.request("/predict", body, "POST")[1] for body in bodies]
    failures = []

    def client(k):
        for _ in range(50):
            status, answer = server.request("/predict", bodies[k], "POST")
            if status != 200 or answer != expected[k]:
                failures.append((k, status))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures and all(not thread.is_alive() for thread in threads)
    assert server.request("/predict", bodies[0], "POST") == (200, expected[0])


def test_an_unexpected_error_is_a_one_line_500_and_the_server_goes_on():
    from sknumpynet._cli.draw_server import DrawingServer

    class Broken:
        def describe(self):
            raise RuntimeError("the model file was\nbroken")

    httpd = DrawingServer(("127.0.0.1", 0), Broken())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(url + "/model", timeout=10)
        assert error.value.code == 500
        assert json.loads(error.value.read()) == {
            "error": "internal error: RuntimeError: the model file was broken"
        }
        with urllib.request.urlopen(url + "/", timeout=10) as page:
            assert page.status == 200
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_command_trains_a_missing_model_then_serves(mnist_dir, tmp_path):
    served = Served(
        "--port",
        "0",
        *("--data-dir", str(mnist_dir), "--epochs", "1", "--n-train", "2000"),
        cwd=tmp_path,
    )
    try:
        output = "".join(served.lines)
        assert "sknumpynet_output/model.joblib is not there yet: training" in output
        assert "Test accuracy on MNIST" in output
        assert (tmp_path / "sknumpynet_output" / "model.joblib").is_file()
        assert served.request("/model")[1]["epochs"] == 1
    finally:
        assert served.stop() == 0
    assert served.stderr.strip() == "sknumpynet draw: stopped."


def _run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sknumpynet", "draw", "--no-browser", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_command_errors_are_one_line_and_exit_2(cli_model, tmp_path):
    from sklearn.datasets import load_digits

    from sknumpynet import NumpyMLPClassifier

    digits_model = tmp_path / "digits.joblib"
    joblib.dump(
        NumpyMLPClassifier(epochs=2, tol=None).fit(*load_digits(return_X_y=True)),
        digits_model,
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cases = [
            ((str(tmp_path / "gone.joblib"),), "gone.joblib: no such model file"),
            ((str(digits_model),), "trained on 64 pixels per image, not MNIST's"),
            (
                (str(cli_model), "--port", str(port)),
                f"cannot serve on 127.0.0.1:{port}: Address already in use",
            ),
        ]
        for args, message in cases:
            result = _run(*args)
            assert result.returncode == 2, result.stderr
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("sknumpynet draw: error: ")
            assert message in lines[0]


def test_verbose_logs_a_line_per_request(cli_model):
    served = Served(str(cli_model), "--port", "0", "--verbose")
    served.request("/model")
    served.request("/nothing")
    served.stop()
    lines = served.stderr.strip().splitlines()
    assert len(lines) == 3 and '"GET /model HTTP/1.1" 200' in lines[0]
    assert '"GET /nothing HTTP/1.1" 404' in lines[1]


def test_another_host_is_served_with_a_warning(cli_model):
    served = Served(str(cli_model), "--port", "0", "--host", "0.0.0.0")
    served.stop()
    assert served.stderr.splitlines()[0] == (
        "sknumpynet draw: warning: serving on 0.0.0.0: anyone on that network "
        "can use this page."
    )


# Strokes written by hand, in the pad's 280 x 280 pixels.
STROKES = {
    1: [[(140, 40), (136, 150), (132, 245)]],
    7: [[(70, 60), (210, 60), (120, 235)]],
    0: [
        [
            (140, 40),
            (95, 70),
            (80, 140),
            (95, 210),
            (140, 240),
            (185, 210),
            (200, 140),
            (185, 70),
            (140, 40),
        ]
    ],
}


def draw_strokes(page, strokes):
    """Draw ``strokes`` on #pad with the mouse, as a person would."""
    box = page.locator("#pad").bounding_box()
    scale = box["width"] / 280
    for points in strokes:
        x, y = points[0]
        page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=6)
        page.mouse.up()


def wait_for_answer(page):
    """Wait until the answer on show is read from the whole drawing.

    Not from a request sent while it was drawn: ``#pad``'s ``data-read``
    catches up with its ``data-drawn``.
    """
    page.wait_for_function(
        """() => {
            const pad = document.getElementById("pad");
            return pad.dataset.read === pad.dataset.drawn
                && document.getElementById("digit").textContent;
        }"""
    )


def test_the_page_reads_drawn_digits_in_a_real_browser(server, tmp_path):
    from browser import launch
    from playwright.sync_api import sync_playwright

    errors, foreign = [], []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else 0)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "request",
            lambda r: (
                foreign.append(r.url)
                if not r.url.startswith(("http://127.0.0.1:", "data:"))
                else 0
            ),
        )
        page.goto(server.url)
        page.wait_for_selector("#units .unit")
        assert page.locator("#digit").text_content() == ""
        for expected, strokes in STROKES.items():
            draw_strokes(page, strokes)
            wait_for_answer(page)
            assert page.locator("#digit").text_content() == str(expected)
            # #input shows what load_digit_images makes of the pad's PNG.
            png = base64.b64decode(
                page.evaluate("document.getElementById('pad').toDataURL()").split(",")[
                    1
                ]
            )
            (tmp_path / f"pad{expected}.png").write_bytes(png)
            made = load_digit_images(tmp_path / f"pad{expected}.png").reshape(28, 28)
            shown = page.evaluate(
                "Array.from(document.getElementById('input').getContext('2d')"
                ".getImageData(0, 0, 28, 28).data.filter((v, i) => i % 4 === 0))"
            )
            np.testing.assert_array_equal(np.reshape(shown, (28, 28)), np.round(made))
            if expected == 7:
                page.screenshot(path=tmp_path / "draw.png", full_page=True)
            page.click("#clear")
            assert page.locator("#digit").text_content() == ""
        browser.close()
    assert not errors and not foreign
    assert (tmp_path / "draw.png").stat().st_size > 10_000
