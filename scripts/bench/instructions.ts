/**
 * Part 5, instructions per hook: an accepted Backtrace hook of the built headless process in `--json` mode (its
 * stdout read and thrown away), and of the receiver alone, against a bare node:http 204 server's request, counted
 * by callgrind under the same load (callgrind.ts says how). Skipped, saying how to get it, without valgrind.
 */
import { join } from 'node:path';
import { type CallgrindLoad, type CallgrindResult, type CallgrindTarget, callgrindMissing, measureInstructions } from './callgrind';
import { BENCH_ENTRY, CONNECTIONS, HEADLESS, ONLY } from './env';
import { type BenchSources, requestFor } from './hooks';
import { fmt, median, type Row } from './report';

/**
 * Requests sent uncounted before callgrind counts, and requests counted in windows of equal size
 * (BENCH_CALLGRIND_WARMUP, BENCH_CALLGRIND_REQUESTS, BENCH_CALLGRIND_WINDOWS). Measured here: after 1,000 or
 * 5,000 warm-up hooks a quarter to a half of the counted instructions were still TurboFan compiling; after
 * 10,000 under a twentieth. Windows of 500 hooks: most cost about the same, and one in eight or so holds a
 * store compaction or a major GC and costs over twice as much. So the typical hook is the median window,
 * and the mean over all windows is the whole cost with compactions and GC spread over the hooks; the
 * target is judged on the mean. Run to run, bare and the receiver alone agree to a few percent (fit for
 * before/after); headless medians swung by a fifth and means by about 8%, so compare several runs.
 */
const CALLGRIND_WARM_UP = Number(process.env.BENCH_CALLGRIND_WARMUP ?? 10_000);
const CALLGRIND_MEASURED = Number(process.env.BENCH_CALLGRIND_REQUESTS ?? 6000);
const CALLGRIND_WINDOWS = Number(process.env.BENCH_CALLGRIND_WINDOWS ?? 12);

/** Reads a port from a server's JSON line: any line with one (`key` ''), or only a line of that type. */
const portLine =
  (key: string) =>
  (line: string): number | null => {
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      return (key === '' || msg.type === key) && typeof msg.port === 'number' ? msg.port : null;
    } catch {
      return null;
    }
  };

/** The three servers measured, by the name BENCH_CALLGRIND_TARGETS picks them with. */
function callgrindTargets(
  work: string,
  configPath: string,
  sources: BenchSources,
): Record<'bare' | 'receiver' | 'headless', CallgrindTarget> {
  const serveArgs = (kind: string): string[] => [BENCH_ENTRY, '--serve', kind, configPath, join(work, `cg-${kind}`)];
  const hook = `/hooks/${sources.backtrace.id}`;
  return {
    bare: { label: 'bare node:http', nodeArgs: serveArgs('bare'), portFrom: portLine(''), path: hook },
    receiver: { label: 'receiver alone', nodeArgs: serveArgs('receiver'), portFrom: portLine(''), path: hook },
    headless: {
      label: 'headless --json',
      nodeArgs: [HEADLESS, '--config', configPath, '--port', '0', '--data-dir', join(work, 'cg-headless'), '--json'],
      portFrom: portLine('listening'),
      path: hook,
    },
  };
}

/** The rows of the figures measured (a target left out by BENCH_CALLGRIND_TARGETS is null). */
function callgrindRows(
  rows: Row[],
  bare: CallgrindResult | null,
  receiver: CallgrindResult | null,
  headless: CallgrindResult | null,
): void {
  const broken = (r: CallgrindResult): string => (r.non2xx > 0 || r.errors > 0 ? ` [${r.non2xx} non-2xx, ${r.errors} errors]` : '');
  const typical = (r: CallgrindResult): number => median(r.windows);
  const both = (r: CallgrindResult): string => `${fmt(typical(r))} / ${fmt(r.perRequest)}${broken(r)}`;
  if (bare)
    rows.push({ what: 'bare node:http 204: instructions per request (median / mean)', value: both(bare), target: 'baseline', pass: null });
  if (receiver) {
    rows.push({ what: 'backtrace, receiver alone (no store): instructions per hook', value: both(receiver), target: 'info', pass: null });
  }
  if (headless) rows.push({ what: 'backtrace, headless --json: instructions per hook', value: both(headless), target: 'info', pass: null });
  if (!bare || !headless) return;
  const ratio = headless.perRequest / bare.perRequest;
  rows.push({
    what: 'backtrace instructions per hook vs bare (median / mean)',
    value: `${fmt(typical(headless) / typical(bare), 2)} / ${fmt(ratio, 2)}`,
    target: '≤ 5.00',
    pass: broken(headless) === '' && broken(bare) === '' && ratio <= 5,
  });
}

/** Part 5: instructions per hook under callgrind, each server in turn. */
export async function callgrindSection(
  rows: Row[],
  work: string,
  configPath: string,
  sources: BenchSources,
  log: (s: string) => void,
): Promise<void> {
  const missing = callgrindMissing();
  if (missing) {
    log(`Callgrind: ${missing}; skipping that part.`);
    rows.push({ what: 'instructions per hook (callgrind)', value: 'skipped: valgrind not installed', target: '', pass: null });
    return;
  }
  log(
    `Callgrind: ${CALLGRIND_WARM_UP} warm-up + ${CALLGRIND_MEASURED} counted requests in ${CALLGRIND_WINDOWS} windows, ${CONNECTIONS} connections, per server…`,
  );
  // The same requests, in the same order, to every server: the bare one reads each body and answers 204.
  const load: CallgrindLoad = {
    make: (i) => requestFor('backtrace', sources, i),
    warmUp: CALLGRIND_WARM_UP,
    measured: CALLGRIND_MEASURED,
    windows: CALLGRIND_WINDOWS,
    connections: CONNECTIONS,
  };
  const keep = ONLY.has('keep');
  const targets = callgrindTargets(work, configPath, sources);
  // BENCH_CALLGRIND_TARGETS=receiver (or any of bare,receiver,headless) measures only those, to compare a change quickly.
  const wanted = new Set((process.env.BENCH_CALLGRIND_TARGETS ?? 'bare,receiver,headless').split(','));
  const measure = async (name: keyof typeof targets): Promise<CallgrindResult | null> => {
    if (!wanted.has(name)) return null;
    const r = await measureInstructions(targets[name], load, work, keep);
    log(`Callgrind windows, ${targets[name].label}: ${r.windows.map((w) => fmt(w)).join(', ')}`);
    return r;
  };
  const bare = await measure('bare');
  const receiver = await measure('receiver');
  const headless = await measure('headless');
  callgrindRows(rows, bare, receiver, headless);
}
