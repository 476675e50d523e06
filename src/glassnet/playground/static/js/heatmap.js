// Binary heat-map frames and their colours.
//
// Frame layout (little-endian): "GNHM" · uint16 version · uint16 R · uint32 epoch · uint16 N ·
// uint16 reserved (0x8000 = the compare network) · N × (float32 lo, float32 hi) · N × R×R uint8,
// row 0 = top (x2 = +6), column 0 = left (x1 = −6); byte 0 ↔ lo, 255 ↔ hi.

const MAGIC = [0x47, 0x4e, 0x48, 0x4d]; // "GNHM"
const HEADER = 16;

/** Decode one binary frame; returns {version, resolution, epoch, compare, maps: [{lo, hi, bytes}]}. */
export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < HEADER) throw new Error(`heat-map frame too short: ${buffer.byteLength} bytes`);
  for (let i = 0; i < 4; i++) {
    if (view.getUint8(i) !== MAGIC[i]) throw new Error("heat-map frame does not start with GNHM");
  }
  const version = view.getUint16(4, true);
  const resolution = view.getUint16(6, true);
  const epoch = view.getUint32(8, true);
  const n = view.getUint16(12, true);
  const reserved = view.getUint16(14, true);
  const size = resolution * resolution;
  const expected = HEADER + n * 8 + n * size;
  if (buffer.byteLength < expected) {
    throw new Error(`heat-map frame has ${buffer.byteLength} bytes, expected ${expected}`);
  }
  const maps = [];
  const dataStart = HEADER + n * 8;
  for (let k = 0; k < n; k++) {
    const lo = view.getFloat32(HEADER + 8 * k, true);
    const hi = view.getFloat32(HEADER + 8 * k + 4, true);
    maps.push({ lo, hi, bytes: new Uint8Array(buffer, dataStart + k * size, size) });
  }
  return { version, resolution, epoch, compare: (reserved & 0x8000) !== 0, maps };
}

/** The value a byte stands for in a map. */
export function byteValue(map, b) {
  return map.lo + ((map.hi - map.lo) * b) / 255;
}

// TensorFlow Playground's colours: orange for low, light grey-white in the middle, blue for high.
export const LOW = [245, 147, 34];
export const MID = [232, 234, 235];
export const HIGH = [8, 119, 189];
export const CLASS_COLORS = [LOW, HIGH, [67, 160, 71], [142, 36, 170], [229, 57, 53]];
const WHITE = [255, 255, 255];

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Colour of value v on a diverging scale with domain [low, mid, high]. */
export function divergingColor(v, low, mid, high) {
  if (!Number.isFinite(v)) return [0, 0, 0];
  if (v <= mid) {
    const t = Math.min(1, Math.max(0, (v - low) / (mid - low || 1)));
    return mix(LOW, MID, t);
  }
  const t = Math.min(1, Math.max(0, (v - mid) / (high - mid || 1)));
  return mix(MID, HIGH, t);
}

export function rgb(color) {
  return `rgb(${Math.round(color[0])},${Math.round(color[1])},${Math.round(color[2])})`;
}

/**
 * The colour domain of a map, by what it holds: probabilities [0, ½, 1]; tanh [−1, 0, 1];
 * anything else symmetric around 0 over the map's own range.
 */
export function domainFor(kind, map) {
  if (kind === "sigmoid" || kind === "probability") return [0, 0.5, 1];
  if (kind === "tanh") return [-1, 0, 1];
  const m = Math.max(Math.abs(map.lo), Math.abs(map.hi)) || 1;
  return [-m, 0, m];
}

/** A 256-entry RGB lookup table for one map. */
function lookup(map, domain, discretize) {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let b = 0; b < 256; b++) {
    let v = byteValue(map, b);
    if (discretize) v = v >= domain[1] ? domain[2] : domain[0];
    const c = divergingColor(v, domain[0], domain[1], domain[2]);
    lut[3 * b] = c[0];
    lut[3 * b + 1] = c[1];
    lut[3 * b + 2] = c[2];
  }
  return lut;
}

/** Paint one map as RGBA pixels into an ImageData of the map's resolution. */
export function mapImage(ctx, map, resolution, kind, discretize = false) {
  const image = ctx.createImageData(resolution, resolution);
  const lut = lookup(map, domainFor(kind, map), discretize);
  const px = image.data;
  const bytes = map.bytes;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    px[4 * i] = lut[3 * b];
    px[4 * i + 1] = lut[3 * b + 1];
    px[4 * i + 2] = lut[3 * b + 2];
    px[4 * i + 3] = 255;
  }
  return image;
}

/** Paint the class probabilities of a softmax output: the likeliest class, paler when unsure. */
export function classesImage(ctx, maps, resolution, discretize = false) {
  const image = ctx.createImageData(resolution, resolution);
  const px = image.data;
  const k = maps.length;
  const size = resolution * resolution;
  const values = maps.map((m) => {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = byteValue(m, m.bytes[i]);
    return out;
  });
  for (let i = 0; i < size; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[c][i] > values[best][i]) best = c;
    const p = values[best][i];
    const confidence = discretize ? 0.75 : Math.min(1, Math.max(0, (p - 1 / k) / (1 - 1 / k)));
    const color = mix(WHITE, CLASS_COLORS[best % CLASS_COLORS.length], confidence * 0.85);
    px[4 * i] = color[0];
    px[4 * i + 1] = color[1];
    px[4 * i + 2] = color[2];
    px[4 * i + 3] = 255;
  }
  return image;
}

/** Paint one class-probability map: white (0) to the class colour (1). */
export function classMapImage(ctx, map, resolution, cls) {
  const image = ctx.createImageData(resolution, resolution);
  const px = image.data;
  const color = CLASS_COLORS[cls % CLASS_COLORS.length];
  for (let i = 0; i < map.bytes.length; i++) {
    const p = Math.min(1, Math.max(0, byteValue(map, map.bytes[i])));
    const c = mix(WHITE, color, p);
    px[4 * i] = c[0];
    px[4 * i + 1] = c[1];
    px[4 * i + 2] = c[2];
    px[4 * i + 3] = 255;
  }
  return image;
}
