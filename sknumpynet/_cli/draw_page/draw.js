// The drawing page: a pad, the network's answer while you draw, the 28x28
// input it sees and its first hidden layer. The server does the reading
// (POST /predict); this script draws and shows.
"use strict";

const pad = document.getElementById("pad");
const pen = pad.getContext("2d");
const digit = document.getElementById("digit");
const probabilities = document.getElementById("probabilities");
const message = document.getElementById("message");
const input = document.getElementById("input");
const units = document.getElementById("units");

// While a stroke goes on, the answer follows at most this often (ms).
const THROTTLE = 150;
let stroke = null; // the last point of the stroke being drawn
let inked = false; // the pad holds ink
let generation = 0; // bumped by Clear: older answers are dropped
// pad.dataset.drawn counts the changes to the ink; pad.dataset.read is the
// count the answer on show was read from. Equal: the answer is the drawing's.
let drawn = 0;
let busy = false; // a request is on its way
let again = false; // the drawing changed while it was
let timer = null;
let lastSent = 0;

function blankPad() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, pad.width, pad.height);
  pen.strokeStyle = "#000";
  pen.fillStyle = "#000";
  pen.lineWidth = 18;
  pen.lineCap = "round";
  pen.lineJoin = "round";
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return [
    ((event.clientX - box.left) * pad.width) / box.width,
    ((event.clientY - box.top) * pad.height) / box.height,
  ];
}

function drawTo(next) {
  pen.beginPath();
  pen.moveTo(stroke[0], stroke[1]);
  pen.lineTo(next[0], next[1]);
  pen.stroke();
  stroke = next;
  inkChanged();
}

function inkChanged() {
  inked = true;
  pad.dataset.drawn = ++drawn;
}

pad.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  stroke = point(event);
  pen.beginPath();
  pen.arc(stroke[0], stroke[1], pen.lineWidth / 2, 0, 2 * Math.PI);
  pen.fill();
  inkChanged();
});

pad.addEventListener("pointermove", (event) => {
  if (stroke === null) return;
  for (const e of event.getCoalescedEvents ? event.getCoalescedEvents() : [event]) {
    drawTo(point(e));
  }
  soon();
});

function endStroke() {
  if (stroke === null) return;
  stroke = null;
  now();
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

// Ask for an answer now, or as soon as the throttle and the last request allow.
function now() {
  clearTimeout(timer);
  timer = null;
  if (!inked) return;
  if (busy) {
    again = true;
    return;
  }
  lastSent = performance.now();
  read();
}

function soon() {
  const wait = THROTTLE - (performance.now() - lastSent);
  if (wait <= 0) now();
  else if (timer === null) timer = setTimeout(now, wait);
}

async function read() {
  const asked = generation;
  const seen = drawn;
  busy = true;
  try {
    const response = await fetch("/predict", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ image: pad.toDataURL("image/png") }),
    });
    const answer = await response.json();
    if (asked !== generation) return;
    if (response.ok) show(answer);
    else showNothing(answer.error === "no ink" ? "" : answer.error);
    pad.dataset.read = seen;
  } catch (error) {
    if (asked === generation) showNothing(`The server did not answer: ${error}`);
  } finally {
    busy = false;
    if (again) {
      again = false;
      now();
    }
  }
}

function show(answer) {
  digit.textContent = String(answer.digit);
  message.textContent = "";
  const best = answer.probabilities.indexOf(Math.max(...answer.probabilities));
  answer.probabilities.forEach((p, i) => {
    const row = probabilities.children[i];
    row.classList.toggle("best", i === best);
    row.querySelector(".fill").style.width = `${(100 * p).toFixed(1)}%`;
    row.querySelector(".value").textContent = `${(100 * p).toFixed(1)} %`;
  });
  drawInput(answer.input);
  answer.hidden.forEach((value, i) => showActivation(i, value));
}

function showNothing(text) {
  digit.textContent = "";
  message.textContent = text;
  for (const row of probabilities.children) {
    row.classList.remove("best");
    row.querySelector(".fill").style.width = "0";
    row.querySelector(".value").textContent = "";
  }
  drawInput(null);
  for (let i = 0; i < units.children.length; i++) showActivation(i, null);
}

function drawInput(pixels) {
  const context = input.getContext("2d");
  const image = context.createImageData(28, 28);
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const v = pixels ? pixels[r][c] : 0;
      const k = 4 * (28 * r + c);
      image.data.set([v, v, v, 255], k);
    }
  }
  context.putImageData(image, 0, 0);
}

// A unit's activation as a bar from the middle: right positive, left negative.
function showActivation(i, value) {
  const unit = units.children[i];
  if (!unit) return;
  const bar = unit.querySelector(".meter span");
  const label = unit.querySelector(".value");
  if (value === null) {
    bar.style.width = "0";
    label.textContent = "";
    return;
  }
  const width = Math.min(Math.abs(value), 1) * 50;
  bar.style.left = value >= 0 ? "50%" : `${50 - width}%`;
  bar.style.width = `${width}%`;
  bar.style.background = value >= 0 ? "#cf222e" : "#0969da";
  label.textContent = value.toFixed(2);
}

// A unit's 784 weights as a 28x28 tile: red positive, blue negative.
function tile(weights) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 28;
  const context = canvas.getContext("2d");
  const image = context.createImageData(28, 28);
  const scale = Math.max(...weights.map(Math.abs)) || 1;
  weights.forEach((w, k) => {
    const t = Math.min(Math.abs(w) / scale, 1);
    const fade = Math.round(255 * (1 - t));
    const colour = w >= 0 ? [255, fade, fade] : [fade, fade, 255];
    image.data.set([...colour, 255], 4 * k);
  });
  context.putImageData(image, 0, 0);
  return canvas;
}

function describe(model) {
  const layers = model.layers.join("-");
  document.getElementById("about").textContent =
    `A ${layers} ${model.activation} network, trained for ${model.epochs} ` +
    `epochs (final training loss ${model.loss.toFixed(3)}). It reads your ` +
    "drawing as it reads MNIST's digits.";
  document.getElementById("docs").href = model.docs;
  model.units.forEach((weights, i) => {
    const unit = document.createElement("div");
    unit.className = "unit";
    unit.append(tile(weights));
    const meter = document.createElement("div");
    meter.className = "meter";
    meter.append(document.createElement("span"));
    const label = document.createElement("div");
    label.className = "value";
    const name = document.createElement("div");
    name.textContent = `unit ${i + 1}`;
    unit.append(meter, label, name);
    units.append(unit);
  });
  if (model.n_units > model.units.length) {
    const more = document.createElement("p");
    more.className = "note";
    more.textContent = `The first ${model.units.length} of ${model.n_units} units.`;
    units.after(more);
  }
}

function probabilityRows() {
  for (let i = 0; i < 10; i++) {
    const row = document.createElement("div");
    row.className = "probability";
    row.setAttribute("role", "listitem");
    row.innerHTML =
      `<span>${i}</span><div class="bar"><div class="fill"></div></div>` +
      '<span class="value"></span>';
    probabilities.append(row);
  }
}

document.getElementById("clear").addEventListener("click", () => {
  generation += 1;
  clearTimeout(timer);
  timer = null;
  inked = false;
  again = false;
  blankPad();
  showNothing("");
  pad.dataset.drawn = pad.dataset.read = ++drawn;
});

blankPad();
pad.dataset.drawn = pad.dataset.read = drawn;
probabilityRows();
drawInput(null);
fetch("/model")
  .then((response) => response.json())
  .then(describe)
  .catch((error) => {
    message.textContent = `Could not load the model: ${error}`;
  });
