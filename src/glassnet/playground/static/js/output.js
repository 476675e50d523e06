// The output plot: the network's output over the plane as a heat map, the training points
// (white ring) and test points (black ring), a chosen point for the neuron formulas, and a click
// that adds a point of the selected class.

import { CLASS_COLORS, classesImage, divergingColor, mapImage, rgb } from "./heatmap.js";

const POINT_RADIUS = 3.5;

export class OutputPlot {
  constructor(canvas, { interactive = true } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.scratch = document.createElement("canvas");
    this.data = null;
    this.labelScale = 1; // regression: the largest |label|, the ends of the colour scale
    this.maps = null;
    this.resolution = 50;
    this.kind = "sigmoid";
    this.showTest = false;
    this.discretize = false;
    this.chosen = null;
    this.domain = [-6, 6];
    if (interactive) this.listen();
  }

  listen() {
    this.canvas.addEventListener("mousemove", (e) => {
      this.chosen = this.pick(e);
      this.draw();
      this.onChoose?.(this.chosen);
    });
    this.canvas.addEventListener("click", (e) => {
      const p = this.toDomain(e);
      this.onAdd?.(p);
    });
  }

  toDomain(e) {
    const r = this.canvas.getBoundingClientRect();
    const [lo, hi] = this.domain;
    const x1 = lo + ((e.clientX - r.left) / r.width) * (hi - lo);
    const x2 = hi - ((e.clientY - r.top) / r.height) * (hi - lo);
    return [Math.round(x1 * 1000) / 1000, Math.round(x2 * 1000) / 1000];
  }

  toPixel(p) {
    const [lo, hi] = this.domain;
    const w = this.canvas.width;
    const h = this.canvas.height;
    return [((p[0] - lo) / (hi - lo)) * w, ((hi - p[1]) / (hi - lo)) * h];
  }

  /** The data point under the mouse (within 6 px), else the mouse position itself. */
  pick(e) {
    const p = this.toDomain(e);
    if (!this.data) return { x: p, label: null, set: null };
    const r = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / r.width;
    const [mx, my] = [(e.clientX - r.left) * scale, (e.clientY - r.top) * scale];
    let best = null;
    let bestD = 36;
    const sets = this.showTest ? ["train", "test"] : ["train"];
    for (const set of sets) {
      const part = this.data[set];
      if (!part) continue;
      part.x.forEach((q, i) => {
        const [px, py] = this.toPixel(q);
        const d = (px - mx) ** 2 + (py - my) ** 2;
        if (d < bestD) {
          bestD = d;
          best = { x: q, label: part.y[i], set };
        }
      });
    }
    return best || { x: p, label: null, set: null };
  }

  setData(data) {
    this.data = data;
    if (data?.domain) this.domain = data.domain;
    if (data?.task === "regression") {
      let m = 1e-9;
      for (const part of [data.train, data.test]) {
        for (const y of part?.y || []) m = Math.max(m, Math.abs(y));
      }
      this.labelScale = m;
    }
    this.draw();
  }

  setMaps(maps, resolution, kind) {
    this.maps = maps;
    this.resolution = resolution;
    this.kind = kind;
    this.draw();
  }

  labelColor(label) {
    if (this.data?.task === "regression") {
      const m = this.labelScale;
      return rgb(divergingColor(label, -m, 0, m));
    }
    return rgb(CLASS_COLORS[label % CLASS_COLORS.length]);
  }

  draw() {
    const { ctx, canvas } = this;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (this.maps && this.maps.length) {
      const R = this.resolution;
      this.scratch.width = R;
      this.scratch.height = R;
      const sctx = this.scratch.getContext("2d");
      let image;
      if (this.kind === "softmax") image = classesImage(sctx, this.maps, R, this.discretize);
      else image = mapImage(sctx, this.maps[0], R, this.kind === "sigmoid" ? "probability" : "linear", this.discretize);
      sctx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = !this.discretize;
      ctx.drawImage(this.scratch, 0, 0, canvas.width, canvas.height);
    }
    if (!this.data) return;
    const r = POINT_RADIUS;
    const drawSet = (part, ring) => {
      if (!part) return;
      ctx.lineWidth = 1;
      ctx.strokeStyle = ring;
      part.x.forEach((q, i) => {
        const [px, py] = this.toPixel(q);
        ctx.beginPath();
        ctx.arc(px, py, r, 0, 2 * Math.PI);
        ctx.fillStyle = this.labelColor(part.y[i]);
        ctx.fill();
        ctx.stroke();
      });
    };
    drawSet(this.data.train, "#fff");
    if (this.showTest) drawSet(this.data.test, "#000");
    if (this.chosen) {
      const [px, py] = this.toPixel(this.chosen.x);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(px, py, r + 4, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}
