// The numbers behind one neuron, for its tooltip: z = Σ wᵢ·xᵢ + b and a = g(z), written out with
// the weights the server sent and, for one chosen point of the plane, the values they produce.
// The browser repeats the arithmetic of that single point only to display it; training and every
// heat map come from glassnet on the server.

import { FEATURE_LABELS, fmt } from "./config.js";

const FEATURE_FN = {
  x1: (p) => p[0],
  x2: (p) => p[1],
  "x1^2": (p) => p[0] * p[0],
  "x2^2": (p) => p[1] * p[1],
  x1x2: (p) => p[0] * p[1],
  sin_x1: (p) => Math.sin(p[0]),
  sin_x2: (p) => Math.sin(p[1]),
  one: () => 1,
};

const G = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
  leaky_relu: (z) => (z > 0 ? z : 0.01 * z),
  linear: (z) => z,
};

export const G_TEXT = {
  sigmoid: "σ(z) = 1 / (1 + e^−z)",
  tanh: "tanh(z)",
  relu: "max(0, z)",
  leaky_relu: "z if z > 0 else 0.01·z",
  linear: "z",
  softmax: "e^zⱼ / Σₖ e^zₖ",
};

/** Feature values of a point (x1, x2) in the order of `features`. */
export function featureValues(features, point) {
  return features.map((f) => FEATURE_FN[f](point));
}

/** Pre-activations and activations of every layer for one point: [{z: [...], a: [...]}]. */
export function forwardPoint(weights, activations, outputKind, features, point) {
  let a = featureValues(features, point);
  const layers = [];
  weights.forEach((w, l) => {
    const nOut = w.bias.length;
    const z = new Array(nOut);
    for (let j = 0; j < nOut; j++) {
      let s = w.bias[j];
      for (let i = 0; i < a.length; i++) s += w.kernel[i][j] * a[i];
      z[j] = s;
    }
    const kind = l < weights.length - 1 ? activations[l] : outputKind;
    let out;
    if (kind === "softmax") {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e.reduce((x, y) => x + y, 0);
      out = e.map((v) => v / sum);
    } else {
      const g = G[kind] || G.linear;
      out = z.map(g);
    }
    layers.push({ z, a: out, inputs: a });
    a = out;
  });
  return { input: featureValues(features, point), layers };
}

function sub(i) {
  return String(i).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[d]);
}

function sup(i) {
  return "⁽" + String(i).replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]) + "⁾";
}

/** Names of the inputs of Dense layer `l`: the features for the first, a⁽ˡ⁾ᵢ after. */
export function inputNames(l, features, weights) {
  if (l === 0) return features.map((f) => FEATURE_LABELS[f] || f);
  return weights[l].kernel.map((_, i) => `a${sup(l)}${sub(i + 1)}`);
}

/** A number as `fmt` writes it, with the minus sign "−" (U+2212). */
function num(v, digits = 3) {
  return fmt(v, digits).replace(/-/g, "−");
}

/** A sum of terms [coefficient, text] as "c₁·t₁ + c₂·t₂ − c₃·t₃", then the bias "± b". */
function sumText(terms, bias) {
  let out = "";
  terms.forEach(([c, t], i) => {
    if (i === 0) out = `${num(c)}·${t}`;
    else out += ` ${c < 0 ? "−" : "+"} ${num(Math.abs(c))}·${t}`;
  });
  const b = `${bias < 0 ? "−" : "+"} ${num(Math.abs(bias))}`;
  return out ? `${out} ${b}` : num(bias);
}

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/**
 * The tooltip's HTML for unit j of Dense layer l.
 * `flags` = {dead, saturated}; `point` = [x1, x2] or null.
 */
export function neuronFormula({ l, j, weights, activations, outputKind, features, point, flags, isOutput }) {
  const w = weights[l];
  const names = inputNames(l, features, weights);
  const kind = isOutput ? outputKind : activations[l];
  const k = l + 1;
  const title = isOutput
    ? `Output unit ${j + 1} (layer ${k})`
    : `Hidden layer ${k}, neuron ${j + 1}`;
  const zLine = `z = ${sumText(w.kernel.map((row, i) => [row[j], names[i]]), w.bias[j])}`;
  const lines = [
    `<div class="t-title">${escape(title)}</div>`,
    `<div>z = Σᵢ wᵢ·xᵢ + b,&nbsp; a = g(z), g = ${escape(kind)}: ${escape(G_TEXT[kind] || kind)}</div>`,
    `<div>${escape(zLine)}</div>`,
  ];
  if (point) {
    const pass = forwardPoint(weights, activations, outputKind, features, point);
    const layer = pass.layers[l];
    const paren = (v) => (v < 0 ? `(${num(v)})` : num(v));
    const values = sumText(w.kernel.map((row, i) => [row[j], paren(layer.inputs[i])]), w.bias[j]);
    lines.push(
      `<div class="t-note">at the point (x₁, x₂) = (${num(point[0], 2)}, ${num(point[1], 2)}):</div>`,
      `<div>z = ${escape(values)} = <b data-testid="neuron-z" data-value="${layer.z[j]}">${num(layer.z[j])}</b></div>`,
      `<div>a = ${escape(kind)}(${kind === "softmax" ? "z" : num(layer.z[j])}) = <b data-testid="neuron-a" data-value="${layer.a[j]}">${num(layer.a[j])}</b></div>`,
    );
  } else {
    lines.push('<div class="t-note">Hover the output plot to choose a point and see the values.</div>');
  }
  if (flags?.dead) lines.push('<div class="flag dead">Dead: its output is 0 on every training sample (ReLU with z ≤ 0), so no gradient reaches its weights.</div>');
  if (flags?.saturated) lines.push('<div class="flag saturated">Saturated: within 1 % of its asymptote on ≥ 90 % of the training samples; its gradient is nearly 0.</div>');
  return lines.join("");
}

/** Tooltip HTML for a feature (input) node. */
export function featureFormula(feature, point) {
  const label = FEATURE_LABELS[feature] || feature;
  let html = `<div class="t-title">Input ${escape(label)}</div><div class="t-note">Click to switch it on or off.</div>`;
  if (point) {
    html += `<div>${escape(label)} = ${num(FEATURE_FN[feature](point))} at (${num(point[0], 2)}, ${num(point[1], 2)})</div>`;
  }
  return html;
}

export { escape, sup, sub };
