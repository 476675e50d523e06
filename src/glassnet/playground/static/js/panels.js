// Readouts and panels: losses, accuracy, confusion matrix, gradient-norm bars, the divergence
// message, and the "explain this step" tables.

import { fmt, sig } from "./config.js";
import { CLASS_COLORS, rgb } from "./heatmap.js";
import { escape } from "./formula.js";

const MAX_ROWS = 12;
const MAX_COLS = 10;

function text(id, value) {
  const node = document.getElementById(id);
  if (node.textContent !== value) node.textContent = value;
}

function percent(v) {
  return v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`;
}

// the loss functions' names as a reader knows them
const LOSS_NAMES = {
  binary_crossentropy: "binary cross-entropy",
  sparse_categorical_crossentropy: "categorical cross-entropy",
  mean_squared_error: "mean squared error",
};

export function showReadouts(state) {
  text("epoch", String(state.epoch));
  if (state.loss_name) {
    const name = LOSS_NAMES[state.loss_name] || state.loss_name.replaceAll("_", " ");
    const penalty = state.penalty ? ` + the ${state.penalty.toUpperCase()} penalty on the weights` : "";
    text("loss-name", `Loss: ${name}${penalty}.`);
  }
  text("train-loss", fmt(state.train_loss));
  text("test-loss", fmt(state.test_loss));
  text("train-accuracy", percent(state.train_accuracy));
  text("test-accuracy", percent(state.test_accuracy));
  document.getElementById("train-loss").dataset.value = String(state.train_loss);
  document.getElementById("test-loss").dataset.value = String(state.test_loss);
  const compare = state.compare;
  if (compare) {
    text("compare-train-loss", fmt(compare.train_loss));
    text("compare-test-loss", fmt(compare.test_loss));
    text("compare-label", String(compare.label));
    text("compare-status", compare.status === "diverged" ? "(diverged)" : "");
  }
}

export function showConfusion(matrix) {
  const box = document.getElementById("confusion");
  if (!matrix) {
    box.innerHTML = '<p class="hint">Classification only.</p>';
    return;
  }
  const k = matrix.length;
  let html = '<table class="matrix confusion"><tr><th></th>';
  for (let c = 0; c < k; c++) html += `<th style="color:${rgb(CLASS_COLORS[c % 5])}">${c}</th>`;
  html += "</tr>";
  matrix.forEach((row, i) => {
    html += `<tr><th style="color:${rgb(CLASS_COLORS[i % 5])}">${i}</th>`;
    row.forEach((v, j) => {
      html += `<td class="${i === j ? "diag" : ""}" data-testid="confusion-${i}-${j}">${v}</td>`;
    });
    html += "</tr>";
  });
  html += "</table>";
  box.innerHTML = html;
}

function barWidth(g) {
  if (!(g > 0) || !Number.isFinite(g)) return g === 0 ? 0 : 100;
  // log scale from 1e-6 (empty) to 1e2 (full)
  return Math.max(1, Math.min(100, ((Math.log10(g) + 6) / 8) * 100));
}

export function showGradNorms(norms, compareNorms, nLayers) {
  const box = document.getElementById("grad-norms");
  let html = "";
  norms.forEach((g, l) => {
    const name = l === nLayers ? "output" : `layer ${l + 1}`;
    const c = compareNorms?.[l];
    html += `<div class="bar-row" title="‖∂L/∂W⁽${l + 1}⁾‖ = ${g}"><span>${name}</span>`
      + `<div class="bar"><span style="width:${barWidth(g)}%"></span>`
      + (c !== undefined ? `<span class="compare" style="width:${barWidth(c)}%"></span>` : "")
      + `</div><span class="value" data-testid="grad-norm-${l}">${sig(g)}</span></div>`;
  });
  box.innerHTML = html;
}

/** The divergence message of the network, or else of the second network (`compareLabel`). */
export function showMessage(message, compareMessage = null, compareLabel = "") {
  const box = document.getElementById("message");
  if (!message && !compareMessage) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  let title = (message || compareMessage).title || "Training stopped";
  if (!message) title = `Second network (${compareLabel}): ${title}`;
  box.hidden = false;
  box.innerHTML = `<b>${escape(title)}</b>${escape((message || compareMessage).text || "")}`;
}

function valueTable(key, value, shape) {
  if (value === null || typeof value === "number") {
    return `<table class="matrix" data-testid="explain-value-${escape(key)}"><tr>${cell(value)}</tr></table>`;
  }
  let rows = value;
  if (!Array.isArray(rows[0])) rows = [rows];
  // the server sends a corner of a large matrix; its shape gives the whole size
  const nRows = shape.length >= 2 ? shape[0] : rows.length;
  const nCols = shape.length >= 2 ? shape[1] : (shape.length === 1 ? shape[0] : rows[0]?.length ?? 0);
  let html = `<table class="matrix" data-testid="explain-value-${escape(key)}">`;
  rows.slice(0, MAX_ROWS).forEach((row) => {
    html += "<tr>";
    for (const v of (Array.isArray(row) ? row : [row]).slice(0, MAX_COLS)) html += cell(v);
    if (nCols > MAX_COLS) html += "<td>…</td>";
    html += "</tr>";
  });
  html += "</table>";
  const hidden = [];
  if (nRows > MAX_ROWS) hidden.push(`${nRows - MAX_ROWS} more rows`);
  if (nCols > MAX_COLS) hidden.push(`${nCols - MAX_COLS} more columns`);
  if (hidden.length) html += `<div class="hint">(${hidden.join(", ")} not shown; shape ${shape.join("×")})</div>`;
  return html;
}

function cell(v) {
  const full = v === null ? "null" : String(v);
  const neg = typeof v === "number" && v < 0 ? ' class="neg"' : "";
  return `<td${neg} data-value="${full}" title="${full}">${v === null ? "non-finite" : sig(v)}</td>`;
}

export function showExplain(reply) {
  const box = document.getElementById("explain-panel");
  const [start, stop] = reply.batch || [0, 0];
  const rows = stop - start;
  let html = `<div class="summary" data-testid="explain-summary">After epoch <b>${reply.epoch}</b>: the next training step, on the first batch of epoch ${reply.epoch + 1} (${rows} row${rows === 1 ? "" : "s"} of the shuffled training set).`
    + ` Loss before the step L = <b data-testid="explain-loss-before" data-value="${reply.loss_before}">${sig(reply.loss_before)}</b>,`
    + ` after it L′ = <b data-testid="explain-loss-after" data-value="${reply.loss_after}">${sig(reply.loss_after)}</b>.</div>`;
  html += '<div class="steps">';
  for (const t of reply.targets || []) {
    html += `<div class="step"><div class="heading">${escape(t.symbol)} (targets)</div>`
      + valueTable(`target-${t.symbol}`, t.value, t.shape || []) + "</div>";
  }
  for (const step of reply.steps || []) {
    const relation = step.phase === "update" ? "←" : "=";
    const heading = step.formula ? `${step.symbol} ${relation} ${step.formula}` : step.symbol;
    html += `<div class="step" data-testid="explain-step-${escape(step.key)}">`
      + `<div class="heading">${escape(heading)}</div>`
      + `<div class="meta"><span class="phase ${escape(step.phase)}">${escape(step.phase)}</span>`
      + `shape ${(step.shape || []).join("×") || "scalar"}${step.note ? " · " + escape(step.note) : ""}</div>`
      + valueTable(step.key, step.value, step.shape || []) + "</div>";
  }
  html += "</div>";
  box.innerHTML = html;
}
