// The network drawing: input features, hidden neurons and outputs as small heat-map canvases,
// the weights as SVG curves (blue positive, orange negative, width by |w|), tooltips with the
// numbers, and the editors (layers, neurons, per-layer activation, a weight or a bias).

import {
  ACTIVATIONS, ACTIVATION_LABELS, FEATURES, FEATURE_LABELS, MAX_NEURONS, fmt,
} from "./config.js";
import { classMapImage, divergingColor, mapImage, rgb } from "./heatmap.js";
import { escape, featureFormula, neuronFormula, sub, sup } from "./formula.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE = 36;
const PITCH = 44;
const HEAD = 74;
const LEFT = 62;

function el(tag, attrs = {}, parent = null) {
  const node = tag === "path" || tag === "g" ? document.createElementNS(SVG, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  if (parent) parent.appendChild(node);
  return node;
}

function edgeWidth(w) {
  return Math.min(8, 0.6 + 2.2 * Math.abs(w));
}

export class NetworkView {
  /**
   * @param {object} hooks  toggleFeature(name), addNeuron(l), removeNeuron(l),
   *   setLayerActivation(l, value), setWeight(target, value), getPoint() → [x1, x2] | null
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.root = document.getElementById("network");
    this.svg = document.getElementById("edges");
    this.nodes = document.getElementById("nodes");
    this.edgeTip = document.getElementById("edge-tooltip");
    this.neuronTip = document.getElementById("neuron-tooltip");
    this.editor = document.getElementById("weight-editor");
    this.editorInput = document.getElementById("weight-input");
    this.editorLabel = document.getElementById("weight-editor-label");
    this.structureKey = "";
    this.canvases = { features: {}, units: [] };
    this.edges = [];
    this.biases = [];
    this.unitNodes = [];
    this.activationSelects = [];
    this.hovered = null;
    this.editTarget = null;
    this.state = null;
    this.outputKind = "sigmoid";
    this.editor.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = Number(this.editorInput.value);
      if (this.editTarget && this.editorInput.value !== "" && Number.isFinite(value)) {
        this.hooks.setWeight(this.editTarget, value);
      }
      this.closeEditor();
    });
    document.getElementById("weight-cancel").addEventListener("click", () => this.closeEditor());
    this.editorInput.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.closeEditor();
    });
    window.addEventListener("resize", () => {
      this.structureKey = "";
      if (this.state) this.update(this.state, this.outputKind);
      // the rebuilt canvases start blank: paint the last frame again (training may be paused)
      if (this.lastFrame) this.drawFrame(this.lastFrame, this.lastFrameConfig);
    });
  }

  closeEditor() {
    this.editor.hidden = true;
    this.editTarget = null;
  }

  openEditor(target, label, value, x, y) {
    this.editTarget = target;
    this.editorLabel.textContent = `${label} =`;
    this.editorInput.value = String(value);
    this.editor.hidden = false;
    const maxX = this.root.clientWidth - 260;
    this.editor.style.left = `${Math.max(0, Math.min(x, maxX))}px`;
    this.editor.style.top = `${y + 12}px`;
    this.editorInput.focus();
    this.editorInput.select();
  }

  /** Positions: columns of nodes, given the configuration and the number of output units. */
  layout(config, nOut) {
    const width = Math.max(420, this.root.clientWidth);
    const cols = config.layers.length + 2;
    const right = width - NODE - 44;
    const step = cols > 1 ? (right - LEFT) / (cols - 1) : 0;
    const x = (c) => Math.round(LEFT + c * step);
    const y = (r) => HEAD + r * PITCH;
    const rows = Math.max(FEATURES.length, ...config.layers, nOut);
    return { width, height: HEAD + rows * PITCH, x, y, step };
  }

  /** Rebuild the DOM when the shape of the network changes. */
  build(config, nOut) {
    const L = config.layers.length;
    const geo = this.layout(config, nOut);
    this.geo = geo;
    this.root.style.height = `${geo.height}px`;
    this.svg.setAttribute("width", geo.width);
    this.svg.setAttribute("height", geo.height);
    this.svg.replaceChildren();
    this.nodes.replaceChildren();
    this.canvases = { features: {}, units: [] };
    this.edges = [];
    this.biases = [];
    this.unitNodes = [];
    this.activationSelects = [];
    this.closeEditor();

    // input features: all seven, the inactive ones greyed out
    const featureBox = el("div", { "data-testid": "features", class: "feature-column" }, this.nodes);
    el("div", { class: "column-head", style: `left:${geo.x(0) - 40}px;top:${HEAD - 28}px;width:${NODE + 60}px`, text: "Features" }, this.nodes);
    const active = new Set(config.features);
    FEATURES.forEach((f, r) => {
      const on = active.has(f);
      const label = el("div", {
        class: "node-label" + (on ? "" : " off"),
        style: `left:${geo.x(0) - 58}px;top:${geo.y(r) + 10}px;width:52px`,
        text: FEATURE_LABELS[f],
      }, featureBox);
      label.addEventListener("click", () => this.hooks.toggleFeature(f));
      const node = el("div", {
        class: "node feature" + (on ? "" : " off"),
        style: `left:${geo.x(0)}px;top:${geo.y(r)}px`,
        "data-testid": `feature-${f}`,
        "data-active": on ? "true" : "false",
        role: "switch",
        "aria-checked": on ? "true" : "false",
        title: "",
      }, featureBox);
      const canvas = el("canvas", { width: 50, height: 50 }, node);
      if (on) this.canvases.features[f] = canvas;
      node.addEventListener("click", () => this.hooks.toggleFeature(f));
      node.addEventListener("mouseenter", () => this.showNeuronTip(node, { feature: f }));
      node.addEventListener("mouseleave", () => this.hideNeuronTip());
    });

    // hidden layers: heads with +/− neurons and the activation, then the neurons
    for (let l = 0; l <= L; l++) {
      const isOutput = l === L;
      const n = isOutput ? nOut : config.layers[l];
      const cx = geo.x(l + 1);
      const head = el("div", {
        class: "column-head",
        style: `left:${cx - 34}px;top:0;width:${NODE + 68}px`,
      }, this.nodes);
      if (isOutput) {
        el("div", { text: "Output" }, head);
        el("div", { text: this.outputKind, "data-testid": "output-kind" }, head);
      } else {
        const count = el("div", { class: "count" }, head);
        const plus = el("button", { type: "button", class: "round", "data-testid": `add-neuron-${l}`, title: "Add a neuron", text: "+" }, count);
        const minus = el("button", { type: "button", class: "round", "data-testid": `remove-neuron-${l}`, title: "Remove a neuron", text: "−" }, count);
        plus.disabled = n >= MAX_NEURONS;
        minus.disabled = n <= 1;
        plus.addEventListener("click", () => this.hooks.addNeuron(l));
        minus.addEventListener("click", () => this.hooks.removeNeuron(l));
        el("div", { text: `${n} neuron${n === 1 ? "" : "s"}`, "data-testid": `neuron-count-${l}` }, head);
        const select = el("select", { "data-testid": `layer-activation-${l}`, title: `Activation of hidden layer ${l + 1}` }, head);
        for (const a of ACTIVATIONS) el("option", { value: a, text: ACTIVATION_LABELS[a] }, select);
        select.value = config.activations[l];
        this.activationSelects.push(select);
        select.addEventListener("change", () => this.hooks.setLayerActivation(l, select.value));
      }
      const canvases = [];
      const unitNodes = [];
      for (let j = 0; j < n; j++) {
        const node = el("div", {
          class: "node unit",
          style: `left:${cx}px;top:${geo.y(j)}px`,
          "data-testid": `neuron-${l}-${j}`,
        }, this.nodes);
        canvases.push(el("canvas", { width: 50, height: 50 }, node));
        const bias = el("div", { class: "bias", "data-testid": `bias-${l}-${j}` }, node);
        this.biases.push({ l, j, node: bias });
        bias.addEventListener("mouseenter", (e) => {
          e.stopPropagation();
          this.hideNeuronTip();
          this.showEdgeTip(bias, { l, bias: j });
        });
        bias.addEventListener("mouseleave", () => this.hideEdgeTip());
        bias.addEventListener("click", (e) => {
          e.stopPropagation();
          const value = this.state?.weights?.[l]?.bias?.[j];
          if (value === undefined) return;
          const r = this.root.getBoundingClientRect();
          this.openEditor({ layer: l, bias: j }, `b${sup(l + 1)}${sub(j + 1)}`, value, e.clientX - r.left, e.clientY - r.top);
        });
        node.addEventListener("mouseenter", () => this.showNeuronTip(node, { l, j, isOutput }));
        node.addEventListener("mouseleave", () => this.hideNeuronTip());
        unitNodes.push(node);
      }
      this.canvases.units.push(canvases);
      this.unitNodes.push(unitNodes);
    }

    // edges: Dense layer l joins column l (its inputs) to column l + 1
    const featureRows = config.features.map((f) => FEATURES.indexOf(f));
    for (let l = 0; l <= L; l++) {
      const nIn = l === 0 ? config.features.length : config.layers[l - 1];
      const nOutL = l === L ? nOut : config.layers[l];
      const x1 = geo.x(l) + NODE;
      const x2 = geo.x(l + 1);
      for (let i = 0; i < nIn; i++) {
        const r = l === 0 ? featureRows[i] : i;
        const y1 = geo.y(r) + NODE / 2;
        for (let j = 0; j < nOutL; j++) {
          const y2 = geo.y(j) + NODE / 2;
          const mx = (x1 + x2) / 2;
          const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
          const g = el("g", {}, this.svg);
          const hit = el("path", { d, class: "hit", "data-testid": `edge-${l}-${i}-${j}` }, g);
          const path = el("path", { d, class: "edge", stroke: "#ccc", "stroke-width": 1, "stroke-opacity": 0.85 }, g);
          const edge = { l, i, j, path, hit };
          this.edges.push(edge);
          hit.addEventListener("mouseenter", () => {
            path.classList.add("hover");
            this.showEdgeTip(hit, edge);
          });
          hit.addEventListener("mousemove", (e) => this.moveTip(this.edgeTip, e));
          hit.addEventListener("mouseleave", () => {
            path.classList.remove("hover");
            this.hideEdgeTip();
          });
          hit.addEventListener("click", (e) => {
            const value = this.state?.weights?.[l]?.kernel?.[i]?.[j];
            if (value === undefined) return;
            const r = this.root.getBoundingClientRect();
            this.openEditor({ layer: l, row: i, col: j }, this.weightName(l, i, j), value, e.clientX - r.left, e.clientY - r.top);
          });
        }
      }
    }
  }

  weightName(l, i, j) {
    return `W${sup(l + 1)}[${i + 1},${j + 1}]`;
  }

  edgeText(target) {
    const weights = this.state?.weights;
    if (!weights?.[target.l]) return "";
    const config = this.state.config;
    const k = target.l + 1;
    if (target.bias !== undefined) {
      const v = weights[target.l].bias[target.bias];
      return `<div>b${sup(k)}${sub(target.bias + 1)} = <b data-testid="edge-value">${fmt(v, 4)}</b></div><div class="t-note">bias of unit ${target.bias + 1}, layer ${k}; click to edit</div>`;
    }
    const v = weights[target.l].kernel[target.i][target.j];
    const from = target.l === 0
      ? FEATURE_LABELS[config.features[target.i]]
      : `neuron ${target.i + 1} of layer ${target.l}`;
    const to = target.l === config.layers.length ? `output ${target.j + 1}` : `neuron ${target.j + 1} of layer ${k}`;
    return `<div>${this.weightName(target.l, target.i, target.j)} = <b data-testid="edge-value">${fmt(v, 4)}</b></div><div class="t-note">${escape(from)} → ${escape(to)}; click to edit</div>`;
  }

  showEdgeTip(anchor, target) {
    this.hovered = { kind: "edge", anchor, target };
    this.edgeTip.innerHTML = this.edgeText(target);
    this.edgeTip.hidden = false;
    const r = this.root.getBoundingClientRect();
    const a = anchor.getBoundingClientRect();
    this.placeTip(this.edgeTip, a.left + a.width / 2 - r.left, a.top + a.height / 2 - r.top);
  }

  moveTip(tip, e) {
    const r = this.root.getBoundingClientRect();
    this.placeTip(tip, e.clientX - r.left, e.clientY - r.top);
  }

  placeTip(tip, x, y) {
    const w = tip.offsetWidth;
    const maxX = this.root.clientWidth - w - 4;
    tip.style.left = `${Math.max(0, Math.min(x + 12, maxX))}px`;
    tip.style.top = `${y + 14}px`;
  }

  hideEdgeTip() {
    this.edgeTip.hidden = true;
    if (this.hovered?.kind === "edge") this.hovered = null;
  }

  neuronText(target) {
    const state = this.state;
    if (!state) return "";
    const point = this.hooks.getPoint();
    if (target.feature) return featureFormula(target.feature, point);
    if (!state.weights?.[target.l]) return "";
    const key = (list) => (list || []).some(([a, b]) => a === target.l && b === target.j);
    return neuronFormula({
      l: target.l, j: target.j, weights: state.weights, activations: state.config.activations,
      outputKind: this.outputKind, features: state.config.features, point,
      flags: { dead: key(state.dead), saturated: key(state.saturated) }, isOutput: target.isOutput,
    });
  }

  showNeuronTip(node, target) {
    this.hovered = { kind: "neuron", anchor: node, target };
    this.neuronTip.innerHTML = this.neuronText(target);
    this.neuronTip.hidden = false;
    const r = this.root.getBoundingClientRect();
    const a = node.getBoundingClientRect();
    const w = this.neuronTip.offsetWidth;
    let x = a.right - r.left + 8;
    if (x + w > this.root.clientWidth) x = a.left - r.left - w - 8;
    this.neuronTip.style.left = `${Math.max(0, x)}px`;
    this.neuronTip.style.top = `${a.top - r.top}px`;
  }

  hideNeuronTip() {
    this.neuronTip.hidden = true;
    if (this.hovered?.kind === "neuron") this.hovered = null;
  }

  /** Redraw weights, marks and open tooltips from a state. */
  update(state, outputKind) {
    this.state = state;
    const config = state.config;
    const nOut = state.weights?.length ? state.weights[state.weights.length - 1].bias.length : 1;
    const key = JSON.stringify([config.features, config.layers, config.activations, nOut, outputKind]);
    this.outputKind = outputKind;
    if (key !== this.structureKey) {
      this.build(config, nOut);
      this.structureKey = key;
    }
    // a select may show a choice the server refused
    this.activationSelects.forEach((select, l) => {
      if (select.value !== config.activations[l]) select.value = config.activations[l];
    });
    for (const e of this.edges) {
      const w = state.weights?.[e.l]?.kernel?.[e.i]?.[e.j];
      if (w === undefined) continue;
      e.path.setAttribute("stroke", rgb(divergingColor(w, -1, 0, 1)));
      e.path.setAttribute("stroke-width", edgeWidth(w).toFixed(2));
      e.hit.dataset.value = String(w);
    }
    for (const b of this.biases) {
      const v = state.weights?.[b.l]?.bias?.[b.j];
      if (v === undefined) continue;
      b.node.style.background = rgb(divergingColor(v, -1, 0, 1));
      b.node.dataset.value = String(v);
    }
    const dead = new Set((state.dead || []).map(([l, j]) => `${l},${j}`));
    const saturated = new Set((state.saturated || []).map(([l, j]) => `${l},${j}`));
    this.unitNodes.forEach((nodes, l) => nodes.forEach((node, j) => {
      node.classList.toggle("dead", dead.has(`${l},${j}`));
      node.classList.toggle("saturated", saturated.has(`${l},${j}`));
    }));
    this.refreshTips();
  }

  refreshTips() {
    if (!this.hovered) return;
    if (this.hovered.kind === "edge" && !this.edgeTip.hidden) {
      this.edgeTip.innerHTML = this.edgeText(this.hovered.target);
    } else if (this.hovered.kind === "neuron" && !this.neuronTip.hidden) {
      this.neuronTip.innerHTML = this.neuronText(this.hovered.target);
    }
  }

  /** Paint the heat maps of a frame: features, hidden neurons, outputs, in the frame's order. */
  drawFrame(frame, config) {
    this.lastFrame = frame;
    this.lastFrameConfig = config;
    const nHidden = config.layers.reduce((a, b) => a + b, 0);
    const nOut = frame.maps.length - config.features.length - nHidden;
    if (nOut < 1) return;
    let k = 0;
    const R = frame.resolution;
    const paint = (canvas, draw) => {
      if (!canvas) return;
      if (canvas.width !== R) {
        canvas.width = R;
        canvas.height = R;
      }
      const ctx = canvas.getContext("2d");
      ctx.putImageData(draw(ctx), 0, 0);
    };
    for (const f of config.features) {
      const map = frame.maps[k++];
      paint(this.canvases.features[f], (ctx) => mapImage(ctx, map, R, "feature"));
    }
    config.layers.forEach((n, l) => {
      for (let j = 0; j < n; j++) {
        const map = frame.maps[k++];
        paint(this.canvases.units[l]?.[j], (ctx) => mapImage(ctx, map, R, config.activations[l]));
      }
    });
    const outCanvases = this.canvases.units[config.layers.length] || [];
    for (let j = 0; j < nOut; j++) {
      const map = frame.maps[k++];
      paint(outCanvases[j], (ctx) => (this.outputKind === "softmax"
        ? classMapImage(ctx, map, R, j)
        : mapImage(ctx, map, R, this.outputKind === "sigmoid" ? "probability" : "linear")));
    }
  }
}
