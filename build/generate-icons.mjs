#!/usr/bin/env node
/**
 * Draws Crashbell's bell procedurally and writes every PNG that packaging and the tray need:
 *   build/icon.png            1024×1024 app icon (electron-builder makes .icns and .ico from it)
 *   build/icons/NxN.png       Linux icon set, 16…512
 *   build/tray/<state>.png    tray icons 16 px with <state>@2x.png (32 px) for macOS and Windows,
 *   build/tray/linux-<state>.png  32 px for Linux panels
 * States: listening, down (tunnel down), unread, dnd.
 *
 * Plain Node (node:zlib for the PNG's deflate); run with `node build/generate-icons.mjs`. The PNGs are committed,
 * so builds never depend on running this.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Encodes RGBA pixels (Uint8ClampedArray, size×size×4) as a PNG. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y += 1) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

/** The bell, in a unit square (x, y in 0..1). */
function inBell(x, y) {
  if (inCircle(x, y, 0.5, 0.15, 0.055)) return true; // hanger
  if (inCircle(x, y, 0.5, 0.36, 0.2)) return true; // dome
  if (y >= 0.36 && y <= 0.7) {
    const t = (y - 0.36) / 0.34;
    const half = 0.2 + 0.1 * t * t; // the flare
    if (Math.abs(x - 0.5) <= half) return true;
  }
  if (y >= 0.68 && y <= 0.77 && Math.abs(x - 0.5) <= 0.37) {
    // the lip, with rounded ends
    const ex = Math.abs(x - 0.5) - 0.325;
    return ex <= 0 || inCircle(ex, y, 0, 0.725, 0.045);
  }
  return inCircle(x, y, 0.5, 0.83, 0.075); // clapper
}

function inRoundedSquare(x, y, margin, radius) {
  const lo = margin;
  const hi = 1 - margin;
  if (x < lo || x > hi || y < lo || y > hi) return false;
  const cx = Math.min(Math.max(x, lo + radius), hi - radius);
  const cy = Math.min(Math.max(y, lo + radius), hi - radius);
  return inCircle(x, y, cx, cy, radius);
}

/**
 * Rasterizes a layered drawing with 4×4 supersampling. `paint(x, y)` returns [r, g, b, a] (0..255) or null for
 * transparent at a unit-square point.
 */
function rasterize(size, paint) {
  const out = new Uint8ClampedArray(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < S; sy += 1) {
        for (let sx = 0; sx < S; sx += 1) {
          const c = paint((px + (sx + 0.5) / S) / size, (py + (sy + 0.5) / S) / size);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return out;
}

const RED = [229, 72, 77, 255];
const WHITE = [255, 255, 255, 255];
const GRAY = [96, 104, 116, 255];
const AMBER = [217, 119, 6, 255];
const PURPLE = [124, 92, 214, 255];

/** The app icon: a white bell on a red rounded square. */
function appIcon(x, y) {
  if (!inRoundedSquare(x, y, 0.06, 0.2)) return null;
  const bx = (x - 0.5) / 0.72 + 0.5;
  const by = (y - 0.5) / 0.72 + 0.5;
  return inBell(bx, by) ? WHITE : RED;
}

/** Tray icons: a bell with a badge per state, on transparent. */
const TRAY = {
  listening: (x, y) => (inBell(x, y) ? GRAY : null),
  unread: (x, y) => {
    if (inCircle(x, y, 0.78, 0.22, 0.2)) return RED;
    if (inCircle(x, y, 0.78, 0.22, 0.27)) return null; // a gap so the dot reads on any panel
    return inBell(x, y) ? GRAY : null;
  },
  down: (x, y) => {
    // the bell in amber with a slash through it: the tunnel (or receiver) is down
    const d = Math.abs(x - y) / Math.SQRT2;
    if (d < 0.06 && x > 0.08 && x < 0.92) return AMBER;
    if (d < 0.11) return null;
    return inBell(x, y) ? AMBER : null;
  },
  dnd: (x, y) => {
    // a muted bell with a "moon" badge
    if (inCircle(x, y, 0.76, 0.24, 0.2) && !inCircle(x, y, 0.84, 0.17, 0.17)) return PURPLE;
    if (inCircle(x, y, 0.76, 0.24, 0.26) && !inCircle(x, y, 0.84, 0.17, 0.17)) return null;
    return inBell(x, y) ? [GRAY[0], GRAY[1], GRAY[2], 150] : null;
  },
};

function write(rel, size, paint) {
  const path = join(here, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(size, rasterize(size, paint)));
  return rel;
}

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
export const TRAY_STATES = Object.keys(TRAY);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = [write('icon.png', 1024, appIcon)];
  for (const size of LINUX_SIZES) written.push(write(`icons/${size}x${size}.png`, size, appIcon));
  for (const [state, paint] of Object.entries(TRAY)) {
    written.push(write(`tray/${state}.png`, 16, paint));
    written.push(write(`tray/${state}@2x.png`, 32, paint));
    written.push(write(`tray/linux-${state}.png`, 32, paint));
  }
  process.stdout.write(`${written.length} icons written under ${here}\n`);
}
