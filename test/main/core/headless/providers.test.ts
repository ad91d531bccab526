/**
 * Headless mode accepts every SaaS provider: the built headless process, configured with one source per
 * provider, answers each provider's signed sample with 200 and prints a `received` line for it, and its
 * notification names the same kind of thing for every provider: the source.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getProvider } from '../../../../main/core/providers/index';
import { sourceSchema, type SourceInput } from '../../../../shared/settings';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { sendHook } from '../../../helpers/hook-client';

const SOURCES: SourceInput[] = [
  { id: 'sentryHeadlessSourceAAAA', provider: 'sentry', name: 'Web front end', credentials: { clientSecret: 'headless-sentry-secret' } },
  { id: 'bugsnagHeadlessSourceAAA', provider: 'bugsnag', name: 'Android app' },
  { id: 'rollbarHeadlessSourceAAA', provider: 'rollbar', name: 'Billing API' },
  { id: 'raygunHeadlessSourceAAAA', provider: 'raygun', name: 'Desktop client' },
  { id: 'honeybadgerHeadlessSrcAA', provider: 'honeybadger', name: 'Rails monolith' },
  {
    id: 'genericHeadlessSourceAAA',
    provider: 'generic',
    name: 'Batch jobs',
    config: { titlePath: '$.title', groupKeyPath: '$.id', verification: 'standard-webhooks' },
    credentials: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  },
];

let dir: string;
let headless: HeadlessProcess;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-headless-providers-'));
  const config = join(dir, 'config.json');
  // Six new groups at once: a storm limit above that, so each gets its own notification.
  writeFileSync(config, JSON.stringify({ port: 0, sources: SOURCES, policy: { stormLimit: 10 } }));
  headless = HeadlessProcess.start(
    inject('headlessEntry'),
    ['--config', config, '--data-dir', join(dir, 'data'), '--port', '0', '--json'],
    {
      ...process.env,
      XDG_DATA_HOME: join(dir, 'xdg'),
    },
  );
});

afterAll(async () => {
  if (headless.child.exitCode === null) {
    headless.child.kill('SIGTERM');
    await headless.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = (predicate: (line: Record<string, unknown>) => boolean) => headless.waitFor(predicate);

describe('headless mode with every SaaS provider', () => {
  it("lists every source and accepts each provider's signed sample", async () => {
    const listening = await waitFor((l) => l['type'] === 'listening');
    const port = listening['port'] as number;
    const listed = (listening['sources'] as Array<{ id: string; provider: string }>).map((s) => s.provider).sort();
    expect(listed).toEqual(SOURCES.map((s) => s.provider).sort());

    for (const input of SOURCES) {
      const source = sourceSchema.parse(input);
      const sample = getProvider(source.provider)!.sample(source, Date.now());
      const res = await sendHook(port, { path: `/hooks/${source.id}`, headers: sample.headers, body: sample.body });
      expect(res.status, `${source.provider}: ${res.text}`).toBe(200);
      const received = await waitFor((l) => l['type'] === 'received' && l['source'] === source.id);
      expect(received['provider']).toBe(source.provider);
      const notification = await waitFor((l) => l['type'] === 'notification' && l['group'] === received['group']);
      expect(notification['title']).toBe(`New error in ${source.name}: ${String(received['title'])}`);
    }
  });
});
