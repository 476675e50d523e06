// The configuration: defaults (TensorFlow Playground's), the URL hash codec and small helpers.

export const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2", "one"];
export const FEATURE_LABELS = {
  x1: "X₁", x2: "X₂", "x1^2": "X₁²", "x2^2": "X₂²", x1x2: "X₁X₂", sin_x1: "sin(X₁)", sin_x2: "sin(X₂)",
  one: "1",
};
export const ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"];
export const ACTIVATION_LABELS = {
  sigmoid: "Sigmoid", tanh: "Tanh", relu: "ReLU", leaky_relu: "Leaky ReLU", linear: "Linear",
};
export const OPTIMIZERS = ["sgd", "momentum", "rmsprop", "adam"];
export const OUTPUTS = ["auto", "sigmoid", "softmax", "linear"];
export const REGULARIZATIONS = ["none", "l1", "l2"];
export const DATASETS = ["circle", "xor", "gaussians", "spiral", "paper", "plane", "gaussian", "custom"];
// data sets of fixed samples: no noise, no number of points, no split (test = training samples)
export const FIXED = new Set(["paper"]);
export const LOSSES = ["auto", "mse"];
export const INITIALIZERS = ["glorot_uniform", "uniform"];
export const REGRESSION = new Set(["plane", "gaussian"]);
export const MULTICLASS = new Set(["gaussians", "spiral", "custom"]);
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const COMPARE_KEYS = ["activation", "learning_rate", "optimizer", "layers"];
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;
export const MAX_SEED = 2 ** 31 - 1;

export const DEFAULTS = Object.freeze({
  dataset: "circle",
  classes: 2,
  noise: 0,
  train_ratio: 50,
  n_points: 500,
  data_seed: 0,
  seed: 0,
  features: ["x1", "x2"],
  layers: [4, 2],
  activations: ["tanh", "tanh"],
  output: "auto",
  optimizer: "sgd",
  learning_rate: 0.03,
  batch_size: 10,
  regularization: "none",
  regularization_rate: 0,
  compare: null,
  loss: "auto",
  initializer: "glorot_uniform",
});

// The page's own view settings: in the URL hash with the configuration, never sent to the server.
export const VIEW_DEFAULTS = Object.freeze({ show_test: false, discretize: false });

export function clone(config) {
  return JSON.parse(JSON.stringify(config));
}

const INT_KEYS = ["classes", "n_points", "data_seed", "seed", "batch_size"];
const FLOAT_KEYS = ["noise", "train_ratio", "learning_rate", "regularization_rate"];

/** The accepted range [low, high] of each number ("open": low itself excluded), with the
 * server's caps (hello's `limits`) where it sends them. */
function ranges(limits = {}) {
  const points = limits.max_points ?? 2000;
  return {
    classes: [2, limits.max_classes ?? 5],
    noise: [0, 50],
    train_ratio: [10, 90],
    n_points: [50, points],
    data_seed: [0, MAX_SEED],
    seed: [0, MAX_SEED],
    batch_size: [1, points],
    learning_rate: [0, 10, "open"],
    regularization_rate: [0, 10],
  };
}

function parseList(text) {
  if (text === "" || text === undefined) return [];
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The compare setting as text, "key:value" (layers as "4,2"), or "" when off. */
export function compareToText(compare) {
  if (!compare) return "";
  const value = Array.isArray(compare.value) ? compare.value.join(",") : String(compare.value);
  return `${compare.key}:${value}`;
}

/** Parse a compare value typed by the user for the given key; returns null when invalid. */
export function parseCompareValue(key, text) {
  text = String(text).trim();
  if (key === "activation") return ACTIVATIONS.includes(text) ? text : null;
  if (key === "optimizer") return OPTIMIZERS.includes(text) ? text : null;
  if (key === "learning_rate") {
    const v = Number(text);
    return text !== "" && Number.isFinite(v) && v > 0 && v <= 10 ? v : null;
  }
  if (key === "layers") {
    const parts = parseList(text);
    const layers = parts.map(Number);
    if (layers.length > MAX_LAYERS) return null;
    if (!layers.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_NEURONS)) return null;
    return layers;
  }
  return null;
}

export function compareFromText(text) {
  if (!text || text === "none" || text === "off") return null;
  const i = text.indexOf(":");
  if (i < 0) return null;
  const key = text.slice(0, i);
  if (!COMPARE_KEYS.includes(key)) return null;
  const value = parseCompareValue(key, text.slice(i + 1));
  return value === null ? null : { key, value };
}

/** The whole state of the page as a URL hash: "#dataset=spiral&layers=4,2&…&show_test=false". */
export function toHash(config, view = VIEW_DEFAULTS) {
  const params = [];
  for (const key of Object.keys(DEFAULTS)) {
    let value = config[key] ?? DEFAULTS[key];
    if (key === "compare") value = compareToText(value) || "none";
    else if (Array.isArray(value)) value = value.join(",");
    params.push(`${key}=${encodeURIComponent(String(value)).replace(/%2C/g, ",").replace(/%5E/g, "^").replace(/%3A/g, ":")}`);
  }
  for (const key of Object.keys(VIEW_DEFAULTS)) params.push(`${key}=${Boolean(view[key] ?? VIEW_DEFAULTS[key])}`);
  return "#" + params.join("&");
}

const CHOICES = {
  dataset: DATASETS,
  output: OUTPUTS,
  optimizer: OPTIMIZERS,
  regularization: REGULARIZATIONS,
  loss: LOSSES,
  initializer: INITIALIZERS,
};

/** Read a configuration and the view settings from a URL hash over the defaults, each value
 * checked against its choices and range (`limits`: hello's); returns {config, view, problems}
 * where a value with a problem keeps its default. */
export function fromHash(hash, defaults = DEFAULTS, limits = {}) {
  const config = clone(defaults);
  const range = ranges(limits || {});
  const maxLayers = limits?.max_layers ?? MAX_LAYERS;
  const maxNeurons = limits?.max_neurons ?? MAX_NEURONS;
  const view = { ...VIEW_DEFAULTS };
  const problems = [];
  const text = (hash || "").replace(/^#/, "");
  if (!text) return { config, view, problems, empty: true };
  const seen = new Set();
  for (const pair of text.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const raw = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    seen.add(key);
    if (key in VIEW_DEFAULTS) {
      if (raw === "true" || raw === "1") view[key] = true;
      else if (raw === "false" || raw === "0") view[key] = false;
      else problems.push(`${key} must be true or false, got "${raw}"`);
      continue;
    }
    if (!(key in DEFAULTS)) {
      problems.push(`unknown key "${key}"`);
      continue;
    }
    if (key in CHOICES) {
      if (CHOICES[key].includes(raw)) config[key] = raw;
      else problems.push(`${key} must be one of ${CHOICES[key].join(", ")}, got "${raw}"`);
    } else if (INT_KEYS.includes(key) || FLOAT_KEYS.includes(key)) {
      const v = Number(raw);
      const [low, high, open] = range[key];
      const kind = INT_KEYS.includes(key) ? "an integer" : "a number";
      const ok = raw !== "" && (INT_KEYS.includes(key) ? Number.isInteger(v) : Number.isFinite(v))
        && (open ? v > low : v >= low) && v <= high;
      if (ok) config[key] = v;
      else problems.push(`${key} must be ${kind} in ${open ? "(" : "["}${low}, ${high}], got "${raw}"`);
    } else if (key === "features") {
      const list = parseList(raw).filter((f) => FEATURES.includes(f));
      if (list.length === 0) problems.push(`features must name some of ${FEATURES.join(", ")}`);
      else config.features = FEATURES.filter((f) => list.includes(f));
    } else if (key === "layers") {
      const list = parseList(raw).map(Number);
      if (!list.every((n) => Number.isInteger(n) && n >= 1 && n <= maxNeurons) || list.length > maxLayers) {
        problems.push(`layers must be up to ${maxLayers} integers from 1 to ${maxNeurons}, got "${raw}"`);
      } else config.layers = list;
    } else if (key === "activations") {
      const list = parseList(raw);
      if (!list.every((a) => ACTIVATIONS.includes(a))) {
        problems.push(`activations must be among ${ACTIVATIONS.join(", ")}, got "${raw}"`);
      } else config.activations = list;
    } else if (key === "compare") {
      config.compare = compareFromText(raw);
      if (raw && raw !== "none" && config.compare === null) problems.push(`compare "${raw}" not understood`);
    }
  }
  if (config.classes > 2 && !MULTICLASS.has(config.dataset)) {
    problems.push(`classes = ${config.classes}: only ${[...MULTICLASS].join(", ")} data have more than 2 classes`);
    config.classes = 2;
  }
  // one activation per hidden layer: when only layers were given, keep the activation in use
  if (!seen.has("activations") || config.activations.length !== config.layers.length) {
    const fill = config.activations[0] || defaults.activations?.[0] || "tanh";
    config.activations = config.layers.map((_, i) => config.activations[i] || fill);
  }
  return { config, view, problems, empty: false };
}

export function isRegression(config) {
  return REGRESSION.has(config.dataset);
}

/** The output activation actually used ("auto" resolved as the server does). */
export function outputKind(config, task, classes) {
  if (config.output !== "auto") return config.output;
  if (task === "regression" || (!task && isRegression(config))) return "linear";
  return (classes || config.classes) > 2 ? "softmax" : "sigmoid";
}

/** Compact number for display: 3 decimals, or scientific for very large / small values. */
export function fmt(value, digits = 3) {
  if (value === null || value === undefined) return "–";
  if (typeof value !== "number") return String(value);
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  const a = Math.abs(value);
  if (a !== 0 && (a >= 1e5 || a < Math.pow(10, -digits))) return value.toExponential(Math.max(1, digits - 1));
  return value.toFixed(digits);
}

/** A number with up to 4 significant digits, for tables. */
export function sig(value) {
  if (value === null || value === undefined) return "–";
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "−∞";
  const a = Math.abs(value);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}
