// The loss chart (uPlot): train and test loss per epoch, and the second network's curves when
// the side-by-side comparison is on.

import uPlot from "../vendor/uplot/uPlot.esm.js";

// markers only while the curves are short (a single epoch has no line to draw)
const fewPoints = (u) => u.data[0].length < 20;

const clean = (list) => list.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));

export class LossChart {
  constructor(container) {
    this.container = container;
    this.plot = null;
    this.compareLabel = null;
    this.series = 0;
  }

  make(compareLabel) {
    this.plot?.destroy();
    const series = [
      { label: "epoch" },
      { label: "train", stroke: "#777", width: 1.5, dash: [5, 3], points: { show: fewPoints } },
      { label: "test", stroke: "#111", width: 1.5, points: { show: fewPoints } },
    ];
    if (compareLabel !== null) {
      series.push(
        { label: `train (${compareLabel})`, stroke: "#f59322", width: 1.5, dash: [5, 3], points: { show: fewPoints } },
        { label: `test (${compareLabel})`, stroke: "#c75f00", width: 1.5, points: { show: fewPoints } },
      );
    }
    const width = Math.max(260, this.container.clientWidth || 310);
    this.plot = new uPlot({
      width,
      height: 170,
      series,
      scales: { x: { time: false } },
      axes: [
        { label: "epoch", size: 34, labelSize: 14, font: "12px system-ui, sans-serif", labelFont: "12px system-ui, sans-serif" },
        { label: "loss", size: 48, labelSize: 14, font: "12px system-ui, sans-serif", labelFont: "12px system-ui, sans-serif" },
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    }, [[], [], [], ...(compareLabel !== null ? [[], []] : [])], this.container);
    this.compareLabel = compareLabel;
    this.series = series.length;
  }

  /** history = {epoch, train_loss, test_loss}; compare = {label, history} | null. */
  update(history, compare) {
    const label = compare ? String(compare.label) : null;
    if (!this.plot || label !== this.compareLabel) this.make(label);
    const epochs = history?.epoch || [];
    const data = [epochs, clean(history?.train_loss || []), clean(history?.test_loss || [])];
    if (compare) {
      const h = compare.history || {};
      const pad = (list) => epochs.map((_, i) => (i < list.length ? list[i] : null));
      data.push(pad(clean(h.train_loss || [])), pad(clean(h.test_loss || [])));
    }
    this.plot.setData(data);
  }
}
