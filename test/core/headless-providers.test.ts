/**
 * Headless mode accepts every SaaS provider: the built headless process, configured with one source per
 * provider, answers each provider's signed sample with 200 and prints a `received` line for it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getProvider } from '../../main/core/providers/index';
import { sourceSchema, type SourceInput } from '../../shared/settings';
import { sendHook } from './hook-client';

const SOURCES: SourceInput[] = [
  { id: 'sentryHeadlessSourceAAAA', provider: 'sentry', name: 'Sentry', credentials: { clientSecret: 'headless-sentry-secret' } },
  { id: 'bugsnagHeadlessSourceAAA', provider: 'bugsnag', name: 'Bugsnag' },
  { id: 'rollbarHeadlessSourceAAA', provider: 'rollbar', name: 'Rollbar' },
  { id: 'raygunHeadlessSourceAAAA', provider: 'raygun', name: 'Raygun' },
  { id: 'honeybadgerHeadlessSrcAA', provider: 'honeybadger', name: 'Honeybadger' },
  {
    id: 'genericHeadlessSourceAAA',
    provider: 'generic',
    name: 'Generic',
    config: { titlePath: '$.title', groupKeyPath: '$.id', verification: 'standard-webhooks' },
    credentials: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  },
];

let dir: string;
let child: ChildProcessWithoutNullStreams;
const lines: Array<Record<string, unknown>> = [];
const waiters: Array<() => void> = [];
let stderr = '';

/** Waits for a JSON line matching the predicate (the test's own timeout bounds the wait). */
async function waitFor(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (;;) {
    const found = lines.find(predicate);
    if (found) return found;
    if (child.exitCode !== null) throw new Error(`headless exited (${child.exitCode}): ${stderr}`);
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-headless-providers-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ port: 0, sources: SOURCES }));
  child = spawn(process.execPath, [inject('headlessEntry'), '--config', config, '--data-dir', join(dir, 'data'), '--port', '0', '--json'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, XDG_DATA_HOME: join(dir, 'xdg') },
  });
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Only JSON lines matter here; anything else would be caught by the headless tests.
      }
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (stderr += c));
  child.on('exit', () => {
    for (const w of waiters.splice(0)) w();
  });
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('headless mode with every SaaS provider', () => {
  it('lists every source and accepts each provider\'s signed sample', async () => {
    const listening = await waitFor((l) => l['type'] === 'listening');
    const port = listening['port'] as number;
    const listed = (listening['sources'] as Array<{ id: string; provider: string }>).map((s) => s.provider).sort();
    expect(listed).toEqual(SOURCES.map((s) => s.provider).sort());

    for (const input of SOURCES) {
      const source = sourceSchema.parse(input);
      const sample = getProvider(source.provider)!.sample(source, Date.now());
      const res = await sendHook(port, { path: `/hooks/${source.id}`, headers: sample.headers, body: sample.body });
      expect(res.status, `${source.provider}: ${res.text}`).toBe(200);
      const received = await waitFor((l) => l['type'] === 'received' && l['sourceId'] === source.id);
      expect(received['provider']).toBe(source.provider);
    }
  });
});
