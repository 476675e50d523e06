// glassnet playground: connects to the server, sends the configuration and the controls' messages,
// and draws what comes back (state as JSON, heat maps as binary frames). Training happens in
// Python with glassnet; this page only draws.

import {
  ACTIVATIONS, ACTIVATION_LABELS, DEFAULTS, FEATURES, FIXED, LEARNING_RATES, MAX_LAYERS,
  MAX_NEURONS, MAX_SEED, MULTICLASS, REGULARIZATION_RATES, VIEW_DEFAULTS, clone, compareToText, fmt,
  fromHash, outputKind, parseCompareValue, toHash,
} from "./config.js";
import { decodeFrame } from "./heatmap.js";
import { NetworkView } from "./network.js";
import { OutputPlot } from "./output.js";
import { LossChart } from "./chart.js";
import {
  showConfusion, showExplain, showGradNorms, showMessage, showReadouts,
} from "./panels.js";

let PRESETS = {};  // key → {label, note, config}, from static/presets.json

const $ = (id) => document.getElementById(id);
const CSV_KEY = "glassnet.playground.csv";
const MAX_ERRORS = 50; // the error replies kept in app.errors, the latest last

const app = {
  socket: null,
  hello: null,
  config: null,       // the configuration last sent or last received
  unconfirmed: false, // a change of app.config was sent and no state has come since
  fellBack: false,    // the link's configuration was refused and the defaults were sent
  view: { ...VIEW_DEFAULTS }, // the page's own settings (show test data, discretize)
  state: null,        // the latest state message
  data: null,         // the latest data message
  frame: null,        // the latest main heat-map frame
  compareFrame: null,
  explain: null,
  exportCode: null,
  errors: [],
  stateCount: 0,
  frameCount: 0,
  connected: false,
  pending: { state: false, frame: false, compareFrame: false },
  chosen: null,
};
window.glassnet = app;

// ---------------------------------------------------------------------------------- connection

function send(message) {
  if (!app.socket || app.socket.readyState !== WebSocket.OPEN) {
    notice("Not connected to the server. Reload the page to start a new session.");
    return false;
  }
  app.socket.send(JSON.stringify(message));
  return true;
}
app.send = send;

function connect() {
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || "";
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket.binaryType = "arraybuffer";
  app.socket = socket;
  socket.addEventListener("open", () => {
    app.connected = true;
    setStatus("connected");
  });
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") receive(JSON.parse(event.data));
    else receiveFrame(event.data);
  });
  socket.addEventListener("close", (event) => {
    app.connected = false;
    setStatus("disconnected");
    const why = event.reason ? `: ${event.reason}` : "";
    notice(`The connection to the server closed (code ${event.code}${why}). Reload the page to start a new session.`, 0);
    updateButtons();
  });
}

function receive(message) {
  switch (message.type) {
    case "hello":
      app.hello = message;
      start(message.defaults);
      break;
    case "data":
      app.data = message;
      output.setData(message);
      updateAddClass();
      $("data-note").textContent = message.note || "";
      $("data-note").hidden = !message.note;
      break;
    case "state":
      receiveState(message);
      break;
    case "explain":
      app.explain = message;
      showExplain(message);
      $("explain-panel").scrollIntoView({ block: "nearest" });
      break;
    case "export":
      app.exportCode = message.code;
      $("export-code").value = message.code;
      $("copy-code").hidden = false;
      $("copy-note").textContent = "";
      break;
    case "error":
      app.errors.push(message);
      if (app.errors.length > MAX_ERRORS) app.errors.splice(0, app.errors.length - MAX_ERRORS);
      refused(message);
      break;
    case "pong":
      break;
    default:
      break;
  }
}

function receiveState(state) {
  // a state may carry only the tail of the history: "history_from" = index of its first entry
  if (state.history_from !== undefined && app.state?.history) {
    const from = state.history_from;
    const merged = {};
    for (const key of Object.keys(state.history)) {
      merged[key] = (app.state.history[key] || []).slice(0, from).concat(state.history[key]);
    }
    state.history = merged;
    if (state.compare?.history && app.state.compare?.history && state.compare.history_from !== undefined) {
      const cf = state.compare.history_from;
      const cm = {};
      for (const key of Object.keys(state.compare.history)) {
        cm[key] = (app.state.compare.history[key] || []).slice(0, cf).concat(state.compare.history[key]);
      }
      state.compare.history = cm;
    }
  }
  app.state = state;
  app.config = clone(state.config);
  app.unconfirmed = false;
  app.stateCount += 1;
  schedule("state");
}

function receiveFrame(buffer) {
  let frame;
  try {
    frame = decodeFrame(buffer);
  } catch (err) {
    notice(`A heat-map frame could not be read: ${err.message}`);
    return;
  }
  app.frameCount += 1;
  if (frame.compare) {
    app.compareFrame = frame;
    schedule("compareFrame");
  } else {
    app.frame = frame;
    schedule("frame");
  }
}

let scheduled = false;
function schedule(what) {
  app.pending[what] = true;
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
}

// ------------------------------------------------------------------------------------- drawing

function currentOutputKind() {
  if (!app.state) return "sigmoid";
  return outputKind(app.state.config, app.data?.task, app.data?.classes);
}

function render() {
  scheduled = false;
  const state = app.state;
  if (!state) return;
  const kind = currentOutputKind();
  if (app.pending.state) {
    app.pending.state = false;
    syncControls(state.config);
    showReadouts(state);
    network.update(state, kind);
    chart.update(state.history, state.compare);
    showConfusion(state.confusion);
    showGradNorms(state.grad_norms, state.compare?.grad_norms, state.config.layers.length);
    showMessage(state.message, state.compare?.message, state.compare?.label);
    setStatus(state.status);
    $("compare-box").hidden = !state.compare;
    updateHash(state.config);
    updateButtons();
    app.pending.frame = app.pending.frame || Boolean(app.frame);
  }
  if (app.pending.frame && app.frame) {
    app.pending.frame = false;
    const frame = app.frame;
    const expected = state.config.features.length + state.config.layers.reduce((a, b) => a + b, 0);
    if (frame.maps.length > expected) {
      network.drawFrame(frame, state.config);
      output.setMaps(frame.maps.slice(expected), frame.resolution, kind);
    }
  }
  if (app.pending.compareFrame && app.compareFrame && state.compare) {
    app.pending.compareFrame = false;
    const frame = app.compareFrame;
    const nOut = state.weights?.length ? state.weights[state.weights.length - 1].bias.length : 1;
    compareOutput.setMaps(frame.maps.slice(frame.maps.length - nOut), frame.resolution, kind);
  }
  app.renderCount = (app.renderCount || 0) + 1;
}

function setStatus(status) {
  const node = $("status");
  node.textContent = status;
  node.className = `status ${status}`;
}

function updateButtons() {
  const status = app.state?.status;
  const live = app.connected && app.state;
  $("play").disabled = !live || status === "playing" || status === "diverged";
  $("pause").disabled = !live || status !== "playing";
  $("step").disabled = !live || status === "diverged";
  $("reset").disabled = !live;
  const layers = app.config?.layers.length ?? 0;
  $("add-layer").disabled = !live || layers >= MAX_LAYERS;
  $("remove-layer").disabled = !live || layers <= 0;
}

let noticeTimer = null;
function notice(text, seconds = 10) {
  const box = $("error");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(noticeTimer);
  if (seconds > 0) noticeTimer = setTimeout(() => { box.hidden = true; }, seconds * 1000);
}

function updateHash(config) {
  const hash = toHash(config, app.view);
  if (location.hash !== hash) history.replaceState(null, "", location.pathname + location.search + hash);
}

// ------------------------------------------------------------------------------------ controls

function fillSelect(select, values, label = (v) => String(v)) {
  select.replaceChildren(...values.map((v) => {
    const option = document.createElement("option");
    option.value = String(v);
    option.textContent = label(v);
    return option;
  }));
}

function setSelectNumber(select, value) {
  const exists = [...select.options].some((o) => Number(o.value) === value);
  if (!exists) {
    const option = document.createElement("option");
    option.value = String(value);
    option.textContent = String(value);
    const after = [...select.options].find((o) => Number(o.value) > value);
    select.insertBefore(option, after || null);
  }
  const match = [...select.options].find((o) => Number(o.value) === value);
  if (select.value !== match.value) select.value = match.value;
}

function setValue(id, value) {
  const node = $(id);
  if (document.activeElement === node && node.tagName === "INPUT" && node.type !== "range") return;
  if (node.value !== String(value)) node.value = String(value);
}

function syncControls(config) {
  setValue("dataset", config.dataset);
  setValue("classes", config.classes);
  $("classes").disabled = !MULTICLASS.has(config.dataset);
  setValue("noise", config.noise);
  $("noise-value").textContent = String(config.noise);
  setValue("train-ratio", config.train_ratio);
  $("train-ratio-value").textContent = String(config.train_ratio);
  setValue("n-points", config.n_points);
  setValue("batch-size", config.batch_size);
  $("data-seed").textContent = String(config.data_seed);
  setValue("seed", config.seed);
  setValue("optimizer", config.optimizer);
  setSelectNumber($("learning-rate"), config.learning_rate);
  setSelectNumber($("regularization-rate"), config.regularization_rate);
  setValue("regularization", config.regularization);
  setValue("output", config.output);
  setValue("loss", config.loss ?? DEFAULTS.loss);
  setValue("initializer", config.initializer ?? DEFAULTS.initializer);
  // a data set of fixed samples has no noise, number of points, split or other draw
  const fixed = FIXED.has(config.dataset);
  for (const id of ["noise", "train-ratio", "n-points", "regenerate"]) $(id).disabled = fixed;
  const acts = new Set(config.activations);
  const activation = $("activation");
  const mixed = activation.querySelector('option[value="mixed"]');
  if (acts.size === 1) {
    mixed.hidden = true;
    setValue("activation", config.activations[0]);
  } else {
    mixed.hidden = false;
    setValue("activation", "mixed");
  }
  const L = config.layers.length;
  $("layer-count").textContent = `${L} hidden layer${L === 1 ? "" : "s"}`;
  const compareKey = config.compare?.key || "";
  setValue("compare", compareKey);
  $("compare-value-label").hidden = !compareKey;
  if (compareKey) {
    setValue("compare-value", compareToText(config.compare).slice(compareKey.length + 1));
    fillCompareValues(compareKey);
  }
}

function fillCompareValues(key) {
  const values = {
    activation: ACTIVATIONS,
    optimizer: ["sgd", "momentum", "rmsprop", "adam"],
    learning_rate: LEARNING_RATES,
    layers: ["4,2", "8,8", "8,8,8", "2", "4"],
  }[key] || [];
  fillSelect($("compare-values"), values);
}

function sendConfig(config) {
  app.config = clone(config);
  app.unconfirmed = true;
  send({ type: "config", config: app.config });
  updateButtons();
}

function sameConfig(a, b) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null));
}

/** Change the configuration through an edit function and send it, if it changed: a
 * configuration restarts training from epoch 0. */
function edit(change) {
  if (!app.config) return;
  const config = clone(app.config);
  change(config);
  if (!sameConfig(config, app.config)) sendConfig(config);
}

function setLive(key, value) {
  if (!app.config) return;
  app.config[key] = value;
  app.unconfirmed = true;
  send({ type: "set", key, value });
}

/** An error reply. One that answers a change not yet confirmed by a state puts back the
 * configuration in effect (the last state's); when the link's first configuration is refused,
 * the page starts from the defaults. */
function refused(message) {
  const text = message.message || message.code;
  if (!app.unconfirmed) {
    notice(text);
    return;
  }
  app.unconfirmed = false;
  if (app.state) {
    app.config = clone(app.state.config);
    notice(`${text} (The settings in effect are kept.)`);
    schedule("state");
    return;
  }
  notice(`The link's settings were refused: ${text}. The defaults are used instead.`);
  if (!app.fellBack) {
    app.fellBack = true;
    sendConfig({ ...clone(DEFAULTS), ...clone(app.hello?.defaults || {}) });
  }
}

function updateAddClass() {
  const regression = app.data?.task === "regression";
  $("add-class").hidden = regression;
  $("add-value").hidden = !regression;
  const k = app.data?.classes || 2;
  const names = ["orange", "blue", "green", "purple", "red"];
  const current = $("add-class").value;
  fillSelect($("add-class"), Array.from({ length: k }, (_, c) => c), (c) => `class ${c} (${names[c % 5]})`);
  if (current !== "" && Number(current) < k) $("add-class").value = current;
}

function bindControls() {
  fillSelect($("learning-rate"), LEARNING_RATES);
  fillSelect($("regularization-rate"), REGULARIZATION_RATES);
  fillSelect($("activation"), [...ACTIVATIONS, "mixed"], (a) => ACTIVATION_LABELS[a] || "per layer");

  $("play").addEventListener("click", () => send({ type: "play" }));
  $("pause").addEventListener("click", () => send({ type: "pause" }));
  $("step").addEventListener("click", () => send({ type: "step" }));
  $("reset").addEventListener("click", () => send({ type: "reset" }));
  $("regenerate").addEventListener("click", () => send({ type: "regenerate" }));

  $("dataset").addEventListener("change", (e) => {
    const value = e.target.value;
    if (value === "custom" && app.config?.dataset !== "custom") {
      const csv = sessionStorage.getItem(CSV_KEY);
      if (csv) {
        send({ type: "upload_csv", name: "data.csv", text: csv });
      } else {
        notice("Upload a CSV file (x1, x2, label) to use your own data.");
        e.target.value = app.config.dataset;
      }
      return;
    }
    edit((c) => {
      c.dataset = value;
      if (!MULTICLASS.has(value)) c.classes = 2;
    });
  });
  $("classes").addEventListener("change", (e) => edit((c) => { c.classes = Number(e.target.value); }));
  $("noise").addEventListener("input", (e) => { $("noise-value").textContent = e.target.value; });
  $("noise").addEventListener("change", (e) => edit((c) => { c.noise = Number(e.target.value); }));
  $("train-ratio").addEventListener("input", (e) => { $("train-ratio-value").textContent = e.target.value; });
  $("train-ratio").addEventListener("change", (e) => edit((c) => { c.train_ratio = Number(e.target.value); }));
  $("n-points").addEventListener("change", (e) => {
    const n = Math.round(Number(e.target.value));
    if (n >= 50 && n <= 2000) edit((c) => { c.n_points = n; });
    else notice("Points: a whole number from 50 to 2000.");
  });
  $("batch-size").addEventListener("change", (e) => {
    const n = Math.round(Number(e.target.value));
    if (n >= 1 && n <= 2000) setLive("batch_size", n);
    else notice("Batch size: a whole number from 1 to 2000.");
  });
  $("seed").addEventListener("change", (e) => {
    const n = Math.round(Number(e.target.value));
    if (Number.isInteger(n) && n >= 0 && n <= MAX_SEED) edit((c) => { c.seed = n; });
    else notice(`Seed: a whole number from 0 to ${MAX_SEED}.`);
  });
  $("optimizer").addEventListener("change", (e) => edit((c) => { c.optimizer = e.target.value; }));
  $("learning-rate").addEventListener("change", (e) => setLive("learning_rate", Number(e.target.value)));
  $("regularization-rate").addEventListener("change", (e) => setLive("regularization_rate", Number(e.target.value)));
  $("regularization").addEventListener("change", (e) => edit((c) => { c.regularization = e.target.value; }));
  $("output").addEventListener("change", (e) => edit((c) => { c.output = e.target.value; }));
  $("loss").addEventListener("change", (e) => edit((c) => { c.loss = e.target.value; }));
  $("initializer").addEventListener("change", (e) => edit((c) => { c.initializer = e.target.value; }));
  $("activation").addEventListener("change", (e) => {
    if (e.target.value === "mixed") return;
    edit((c) => { c.activations = c.layers.map(() => e.target.value); });
  });
  $("add-layer").addEventListener("click", () => edit((c) => {
    if (c.layers.length >= MAX_LAYERS) return;
    c.layers.push(2);
    c.activations.push(c.activations[c.activations.length - 1] || $("activation").value || "tanh");
  }));
  $("remove-layer").addEventListener("click", () => edit((c) => {
    c.layers.pop();
    c.activations.pop();
  }));

  $("show-test").addEventListener("change", (e) => setView({ show_test: e.target.checked }));
  $("discretize").addEventListener("change", (e) => setView({ discretize: e.target.checked }));

  $("upload-csv").addEventListener("change", (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const limit = app.hello?.limits?.max_upload_bytes || 1024 * 1024;
    if (file.size > limit) {
      notice(`${file.name} is ${file.size} bytes; the limit is ${limit} bytes (1 MiB).`);
      e.target.value = "";
      return;
    }
    file.text().then((text) => {
      try {
        sessionStorage.setItem(CSV_KEY, text);
      } catch {
        // too large for session storage: the upload still goes to the server
      }
      send({ type: "upload_csv", name: file.name, text });
      e.target.value = "";
    });
  });

  $("compare").addEventListener("change", (e) => {
    const key = e.target.value;
    if (!key) {
      edit((c) => { c.compare = null; });
      return;
    }
    const c0 = app.config;
    // ten times the learning rate, without the float noise of the product (0.07 · 10)
    const tenfold = Number((c0.learning_rate * 10).toPrecision(6));
    const defaults = {
      activation: c0.activations[0] === "sigmoid" ? "tanh" : "sigmoid",
      learning_rate: c0.learning_rate >= 1 ? 0.1 : Math.min(10, tenfold),
      optimizer: c0.optimizer === "adam" ? "sgd" : "adam",
      layers: c0.layers.length ? c0.layers.map(() => 8) : [4],
    };
    edit((c) => { c.compare = { key, value: defaults[key] }; });
  });
  $("compare-value").addEventListener("change", (e) => {
    const key = $("compare").value;
    const value = parseCompareValue(key, e.target.value);
    if (value === null) {
      notice(`"${e.target.value}" is not a valid ${key.replace("_", " ")} for the second network.`);
      return;
    }
    edit((c) => { c.compare = { key, value }; });
  });

  // the presets are data, shared with the tests: static/presets.json
  fetch("/static/presets.json")
    .then((response) => response.json())
    .then((presets) => {
      PRESETS = presets;
      for (const [key, preset] of Object.entries(presets)) {
        $("preset").append(new Option(preset.label, key));
      }
    });

  $("preset").addEventListener("change", (e) => {
    const preset = PRESETS[e.target.value];
    e.target.value = "";
    if (!preset || !app.config) return;
    $("preset-note").textContent = preset.note || "";
    const config = { ...clone(DEFAULTS), ...clone(preset.config) };
    if (preset.csv) {
      sessionStorage.setItem(CSV_KEY, preset.csv);
      send({ type: "upload_csv", name: preset.csvName || "preset.csv", text: preset.csv });
      config.dataset = "custom";
    }
    sendConfig(config);
  });

  $("explain").addEventListener("click", () => send({ type: "explain" }));
  $("export-python").addEventListener("click", () => send({ type: "export" }));
  $("copy-code").addEventListener("click", async () => {
    const area = $("export-code");
    try {
      await navigator.clipboard.writeText(area.value);
      $("copy-note").textContent = "Copied.";
    } catch {
      area.focus();
      area.select();
      $("copy-note").textContent = "Selected: press Ctrl+C to copy.";
    }
  });

  window.addEventListener("hashchange", () => {
    if (!app.hello) return;
    const { config, view, problems } = fromHash(location.hash, app.hello.defaults || DEFAULTS, app.hello.limits);
    if (problems.length) notice(`The link's settings: ${problems.join("; ")}; defaults used for those.`);
    setView(view);
    if (!sameConfig(config, app.config)) sendConfig(config);
  });
}

/** Change the view settings: the checkboxes, the output plots and the URL hash follow. */
function setView(change) {
  Object.assign(app.view, change);
  $("show-test").checked = app.view.show_test;
  $("discretize").checked = app.view.discretize;
  output.showTest = app.view.show_test;
  output.discretize = app.view.discretize;
  compareOutput.discretize = app.view.discretize;
  output.draw();
  compareOutput.draw();
  if (app.state) updateHash(app.state.config);
}

// ------------------------------------------------------------------------------- start and views

const network = new NetworkView({
  toggleFeature(name) {
    edit((c) => {
      const on = new Set(c.features);
      if (on.has(name)) {
        if (on.size === 1) return;
        on.delete(name);
      } else on.add(name);
      c.features = FEATURES.filter((f) => on.has(f));
    });
  },
  addNeuron(l) { edit((c) => { c.layers[l] = Math.min(MAX_NEURONS, c.layers[l] + 1); }); },
  removeNeuron(l) { edit((c) => { c.layers[l] = Math.max(1, c.layers[l] - 1); }); },
  setLayerActivation(l, value) { edit((c) => { c.activations[l] = value; }); },
  setWeight(target, value) { send({ type: "set_weight", ...target, value }); },
  getPoint() { return app.chosen?.x || null; },
});

const output = new OutputPlot($("heatmap-output"));
const compareOutput = new OutputPlot($("heatmap-compare"), { interactive: false });
const chart = new LossChart($("loss-chart"));

output.onChoose = (chosen) => {
  app.chosen = chosen;
  const where = `(x₁, x₂) = (${fmt(chosen.x[0], 2)}, ${fmt(chosen.x[1], 2)})`;
  const label = chosen.label === null ? "" : ` · ${chosen.set} point, label ${fmt(chosen.label, chosen.label % 1 ? 3 : 0)}`;
  $("point-readout").textContent = `point ${where}${label} — hover a neuron for its values here`;
  network.refreshTips();
};
output.onAdd = (x) => {
  const regression = app.data?.task === "regression";
  const label = regression ? Number($("add-value").value) : Number($("add-class").value || 0);
  if (!Number.isFinite(label)) {
    notice("Type a number for the point's value.");
    return;
  }
  send({ type: "add_point", x, label });
};

function start(defaults) {
  const base = { ...clone(DEFAULTS), ...(defaults ? clone(defaults) : {}) };
  const { config, view, problems } = fromHash(location.hash, base, app.hello?.limits);
  if (problems.length) notice(`The link's settings: ${problems.join("; ")}; defaults used for those.`);
  setView(view);
  if (config.dataset === "custom") {
    const csv = sessionStorage.getItem(CSV_KEY);
    if (csv) {
      send({ type: "upload_csv", name: "data.csv", text: csv });
    } else {
      notice("This link used uploaded data, which a link does not carry; the circle data set is shown instead.");
      config.dataset = "circle";
    }
  }
  sendConfig(config);
}

bindControls();
updateButtons();
setStatus("connecting");
connect();
