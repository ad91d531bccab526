/**
 * What a bench run is told (environment variables) and where the built processes it starts are. Read once, at
 * start, by every part.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Concurrent connections (and ingests in flight) of every load: the figures compare only at the same number. */
export const CONNECTIONS = 20;

/** Length of each HTTP run in seconds (BENCH_SECONDS, default 8). */
export const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);

/** Which parts to run: BENCH_ONLY=http,inbox,rss,startup,callgrind,relay (default all), plus `keep` to keep the data. */
export const ONLY = new Set((process.env.BENCH_ONLY ?? 'http,inbox,rss,startup,callgrind,relay').split(','));

/**
 * The bench's own entry, started again as the server process (`--serve`). Only the bench's modules import this
 * one, so Vite bundles it into out/headless/bench.js itself (not a chunk shared with headless): its URL is the entry's.
 */
export const BENCH_ENTRY = fileURLToPath(import.meta.url);

/** The built headless process, next to the bench in out/headless. */
export const HEADLESS = join(dirname(BENCH_ENTRY), 'headless.js');
