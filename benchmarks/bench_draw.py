"""The drawing page: how fast it answers, and how well it reads drawn digits.

Starts ``python -m sknumpynet draw MODEL`` in a process of its own and

* times ``POST /predict`` (the round trip from this process: the request, the
  MNIST-style preparation, the network, the answer) over MNIST test digits
  drawn ten times larger as 280 x 280 PNGs, one request at a time;
* replays MNIST test digits as mouse strokes on the page's pad in Chromium
  (Playwright driving the system's Chromium, as the tests do): each row's runs
  of ink become strokes of the pen, and the digit the page shows is read back.

Run from the repository root, with the model that ``python -m sknumpynet``
saves::

    SKNUMPYNET_MNIST_DIR=../shared/data/mnist python benchmarks/bench_draw.py \\
        --model sknumpynet_output/model.joblib

Prints a table and writes ``benchmarks/draw_results.json``.
"""

import argparse
import base64
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import joblib
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def start_server(model):
    process = subprocess.Popen(
        [sys.executable, "-m", "sknumpynet", "draw", str(model), "--port", "0"]
        + ["--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    return process, line.split("Draw a digit at ")[1].split(" ")[0]


def drawn_png(x):
    digit = Image.fromarray(255 - x.reshape(28, 28).astype(np.uint8))
    buffer = io.BytesIO()
    digit.resize((280, 280), Image.Resampling.BILINEAR).save(buffer, "PNG")
    return buffer.getvalue()


def latency(url, X, n_requests):
    bodies = [
        json.dumps(
            {
                "image": "data:image/png;base64,"
                + base64.b64encode(drawn_png(x)).decode()
            }
        ).encode()
        for x in X[:50]
    ]
    times = []
    for i in range(n_requests):
        request = urllib.request.Request(url + "predict", data=bodies[i % len(bodies)])
        start = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
        times.append(time.perf_counter() - start)
    times = np.array(times) * 1000
    return {
        "requests": n_requests,
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
        "max_ms": float(times.max()),
        "body_kb": float(np.mean([len(b) for b in bodies]) / 1024),
    }


def strokes_of(x):
    """Each row's runs of ink (above half strength) as strokes on the 280 pad."""
    image = x.reshape(28, 28) >= 128
    strokes = []
    for r in range(28):
        c = 0
        while c < 28:
            if image[r, c]:
                start = c
                while c < 28 and image[r, c]:
                    c += 1
                strokes.append(
                    [(start * 10 + 5, r * 10 + 5), ((c - 1) * 10 + 5, r * 10 + 5)]
                )
            c += 1
    return strokes


def replay(url, X, y):
    from browser import launch
    from playwright.sync_api import sync_playwright
    from test_draw import draw_strokes, wait_for_answer

    read = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#units .unit")
        for x in X:
            draw_strokes(page, strokes_of(x))
            wait_for_answer(page)
            read.append(int(page.locator("#digit").text_content()))
            page.click("#clear")
        browser.close()
    return read


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, default=Path("sknumpynet_output/model.joblib")
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--drawings", type=int, default=30)
    args = parser.parse_args()
    from sknumpynet import load_mnist_idx

    _, X_test, _, y_test = load_mnist_idx(os.environ["SKNUMPYNET_MNIST_DIR"])
    model = joblib.load(args.model)
    accuracy = float(model.score(X_test.astype(np.float32), y_test))
    process, url = start_server(args.model)
    try:
        timing = latency(url, X_test, args.requests)
        picked = np.random.RandomState(0).choice(
            len(X_test), args.drawings, replace=False
        )
        read = replay(url, X_test[picked], y_test[picked])
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    right = int(np.sum(np.array(read) == y_test[picked]))
    originals = model.predict(X_test[picked].astype(np.float32))
    results = {
        "model": "{}, {} epochs".format(
            "-".join(map(str, [784, *model[-1].hidden_layer_sizes, 10])),
            model[-1].n_iter_,
        ),
        "mnist_test_accuracy": accuracy,
        "drawings": args.drawings,
        "drawn_read_right": right,
        "originals_read_right": int(np.sum(originals == y_test[picked])),
        "test_indices": picked.tolist(),
        "read": read,
        "labels": y_test[picked].tolist(),
        "predict": timing,
    }
    print(f"MNIST test accuracy of the model: {accuracy:.2%}")
    print(
        f"{args.drawings} MNIST test digits replayed as strokes in Chromium: "
        f"{right} read right (the 28x28 originals: {results['originals_read_right']})"
    )
    print(
        f"POST /predict, {timing['requests']} requests of {timing['body_kb']:.0f} kB: "
        f"p50 {timing['p50_ms']:.1f} ms, p95 {timing['p95_ms']:.1f} ms, "
        f"max {timing['max_ms']:.1f} ms"
    )
    (ROOT / "benchmarks" / "draw_results.json").write_text(
        json.dumps(results, indent=1)
    )


if __name__ == "__main__":
    main()
