/**
 * The providers as they really send, through a real socket into the whole engine (receiver, durable inbox,
 * policy, app service): retries recorded once, across a restart for Standard Webhooks; Rollbar's test button
 * and its count reset; Honeybadger's resolve and tokens; Errorception's two spellings of one error; and
 * credentials rotated without losing hooks. Fixtures are the providers' published samples or real
 * deliveries (see test/fixtures/<provider>/README.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Engine, startEngine } from '../../../../main/core/engine';
import { errorceptionSignature } from '../../../../main/core/providers/errorception';
import { signSentryHook } from '../../../../main/core/providers/sentry-signature';
import { decodeStandardSecret, signStandardWebhook } from '../../../../main/core/providers/standard-webhooks';
import { MemorySettingsStore } from '../../../../main/core/settings-access';
import type { NotificationRequest } from '../../../../shared/events';
import { parseSettings, type SourceInput } from '../../../../shared/settings';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { fixture, fixtureText } from '../../../helpers/saas-fixtures';

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SENTRY_SECRET = 'engine-test-sentry-client-secret';

const dirs: string[] = [];
const engines: Engine[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The engine headless mode builds, on `dataDir`, with these sources; its notifications collected. */
async function engineWith(sources: SourceInput[], dataDir?: string) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'crashbell-providers-'));
  if (!dataDir) dirs.push(dir);
  const settings = new MemorySettingsStore(parseSettings({ port: 0, sources, tunnel: { enabled: false } }));
  const notifications: NotificationRequest[] = [];
  const engine = await startEngine({
    settings,
    dataDir: dir,
    ngrok: null,
    subscribe: (core) => void core.onNotification((n) => void notifications.push(n)),
  });
  engines.push(engine);
  const port = engine.core.port!;
  const post = (sourceId: string, headers: Record<string, string>, body: string) =>
    sendHook(port, { path: `/hooks/${sourceId}`, headers: { 'content-type': 'application/json', ...headers }, body });
  const lastReason = () => engine.core.requests()[0]?.reason ?? '';
  /** The newest group, whole (the list carries lean rows). */
  const newest = () => engine.core.inbox.get(engine.core.inbox.list({}).groups[0]!.id)!;
  return { engine, settings, notifications, post, dir, lastReason, newest };
}

const source = (id: string, provider: string, extra: Partial<SourceInput> = {}): SourceInput =>
  ({ id, provider, name: provider, ...extra }) as SourceInput;

describe('Sentry retries are redeliveries', () => {
  it('the same signed issue.unresolved body with a new Request-ID and timestamp is recorded and notified once', async () => {
    const s = source('sentrySourceEngineAAAAA', 'sentry', { credentials: { clientSecret: SENTRY_SECRET } });
    const { notifications, post, lastReason, newest } = await engineWith([s]);
    const created = fixtureText('sentry', 'zulip-2020-issue-created.json');
    expect((await post(s.id!, signSentryHook(SENTRY_SECRET, 'issue', created, Date.now()), created)).status).toBe(200);
    const unresolved = JSON.stringify({ ...fixture('sentry', 'zulip-2020-issue-resolved.json'), action: 'unresolved' }).replace(
      /"1638821441"/g,
      '"1635244907"',
    );
    const first = await post(s.id!, signSentryHook(SENTRY_SECRET, 'issue', unresolved, Date.now()), unresolved);
    expect(first.status).toBe(200);
    // Sentry's retry: a fresh Request-ID (signSentryHook makes one) and timestamp, the same signed body.
    const retry = await post(s.id!, signSentryHook(SENTRY_SECRET, 'issue', unresolved, Date.now() + 1000), unresolved);
    expect(retry.status).toBe(200);
    expect(lastReason()).toMatch(/^accepted as a redelivery/);
    const group = newest();
    expect(group.hooks).toBe(2);
    // Notifications name the source (here called "sentry").
    expect(notifications.map((n) => n.title.split(':')[0])).toEqual(['New error in sentry', 'Regressed in sentry']);
  });
});

describe('Sentry replays by byte variants are redeliveries', () => {
  it('a captured signed body re-sent with whitespace or a duplicate key verifies, and is recorded once', async () => {
    const s = source('sentrySourceVariantsAAA', 'sentry', { credentials: { clientSecret: SENTRY_SECRET } });
    const { notifications, post, lastReason, newest } = await engineWith([s]);
    // Signed over its compact form, as Sentry's documented sample code reads it.
    const created = JSON.stringify(fixture('sentry', 'zulip-2020-issue-created.json'));
    const headers = () => signSentryHook(SENTRY_SECRET, 'issue', created, Date.now());
    expect((await post(s.id!, headers(), created)).status).toBe(200);
    const variants = [
      JSON.stringify(JSON.parse(created), null, 2),
      ` ${created.replace(/,/g, ', ')}\n`,
      `{"action":"resolved",${created.slice(1)}`,
    ];
    for (const variant of variants) {
      const res = await post(s.id!, headers(), variant);
      expect(res.status).toBe(200);
      // Today's code keyed each on its own bytes: recorded again, and able to count as a regression.
      expect(lastReason()).toMatch(/^accepted as a redelivery/);
    }
    expect(newest().hooks).toBe(1);
    expect(notifications).toHaveLength(1);
  });
});

describe('Standard Webhooks ids are idempotency keys', () => {
  it('a valid retry of an accepted message gets 2xx and no second record, also after a restart', async () => {
    const s = source('genericStandardEngineAA', 'generic', {
      config: { titlePath: '$.type', groupKeyPath: '$.data.id', verification: 'standard-webhooks' },
      credentials: { secret: WHSEC },
    });
    const body = fixtureText('standard-webhooks', 'spec-example-body.json');
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const signed = (at: number) => {
      const ts = String(Math.floor(at / 1000));
      return {
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': signStandardWebhook(decodeStandardSecret(WHSEC)!, id, ts, body),
      };
    };
    const first = await engineWith([s]);
    expect((await first.post(s.id!, signed(Date.now()), body)).status).toBe(200);
    expect((await first.post(s.id!, signed(Date.now() + 5000), body)).status).toBe(200);
    expect(first.lastReason()).toMatch(/^accepted as a redelivery/);
    await first.engine.stop();
    engines.splice(engines.indexOf(first.engine), 1);

    // The sender never saw the 2xx and retries under the same id after Crashbell restarted.
    const again = await engineWith([s], first.dir);
    const retry = await again.post(s.id!, signed(Date.now() + 60_000), body);
    expect(retry.status).toBe(200);
    expect(again.lastReason()).toMatch(/^accepted as a redelivery/);
    expect(again.engine.core.inbox.list({}).groups).toHaveLength(1);
    expect(again.newest().hooks).toBe(1);
    expect(again.notifications).toEqual([]);
  });
});

describe('Rollbar as it really sends', () => {
  const s = source('rollbarSourceEngineAAAA', 'rollbar', { webUrl: 'https://rollbar.com/acme/web/' });

  it('acknowledges "Send test notification" with 2xx and records nothing', async () => {
    const { engine, post, lastReason } = await engineWith([s]);
    const res = await post(s.id!, {}, fixtureText('rollbar', 'zulip-2018-test.json'));
    expect(res.status).toBe(200);
    expect(lastReason()).toMatch(/Rollbar test notification received/);
    expect(engine.core.inbox.counts().groups).toBe(0);
  });

  it('counts milestones from a reactivation (total_occurrences 127 → 1 → 12), and links item_velocity from the project page', async () => {
    const { notifications, post, newest } = await engineWith([s]);
    for (const name of ['zulip-2018-reopened-item.json', 'zulip-2018-reactivated-item.json', 'zulip-2018-item-velocity.json']) {
      expect((await post(s.id!, {}, fixtureText('rollbar', name))).status).toBe(200);
    }
    const group = newest();
    expect(group.occurrences).toBe(12);
    expect(group.lastDecision?.reason).toBe('Crossed 10 occurrences');
    expect(notifications.at(-1)?.title).toMatch(/^All set\. crossed 10 occurrences/);
    // item_velocity carries no occurrence: the link comes from the item counter and the project page.
    expect(group.url).toBe('https://rollbar.com/acme/web/items/3/');
    expect(group.urlDerivation).toMatch(/item's counter and this source's Rollbar project page/);
  });
});

describe('Honeybadger as it really sends', () => {
  const faultOccurred = { ...fixture('honeybadger', 'occurred.json'), project: { id: 1717, name: 'Crywolf' } };

  it("a resolve without message or project keeps the group's title and project (Crywolf, not 1717)", async () => {
    const s = source('honeybadgerSourceEngine', 'honeybadger');
    const { notifications, post, newest } = await engineWith([s]);
    expect((await post(s.id!, {}, JSON.stringify(faultOccurred))).status).toBe(200);
    // Honeybadger's documented resolved body has no project; an inactive account's fault is bare.
    const bare = { event: 'resolved', message: '[Crywolf] resolved', fault: { id: 3151009, project_id: 1717, message: 'oops' } };
    expect((await post(s.id!, {}, JSON.stringify(bare))).status).toBe(200);
    expect((await post(s.id!, {}, fixtureText('honeybadger', 'resolved.json'))).status).toBe(200);
    expect((await post(s.id!, {}, fixtureText('honeybadger', 'unresolved.json'))).status).toBe(200);
    const group = newest();
    expect(group).toMatchObject({ title: 'RuntimeError: oops', project: 'Crywolf' });
    expect(notifications.at(-1)?.title).toBe('Regressed in honeybadger: RuntimeError: oops');
  });

  it('checks Honeybadger-Token from the headers before reading the body, and each Test button press is its own hook', async () => {
    const s = source('honeybadgerTokenEngineA', 'honeybadger', { credentials: { token: 'hb-token-from-the-api-key-tab' } });
    const { engine, post, newest } = await engineWith([s]);
    const test = fixtureText('honeybadger', 'zulip-2017-test-button-occurred.json');
    const refused = await post(s.id!, {}, test);
    expect(refused.status).toBe(401);
    expect(String(refused.json?.['error'])).toMatch(/missing Honeybadger-Token/);
    // Refused before the body was read: the log holds none of it.
    expect(engine.core.requests()[0]!.body).toBe('');
    expect(engine.core.requests()[0]!.headers['honeybadger-token']).toBeUndefined();
    const token = { 'honeybadger-token': 'hb-token-from-the-api-key-tab' };
    expect((await post(s.id!, token, test)).status).toBe(200);
    expect((await post(s.id!, token, test)).status).toBe(200);
    const group = newest();
    expect(group.hooks).toBe(2);
    expect(engine.core.requests()[0]!.headers['honeybadger-token']).not.toBe('hb-token-from-the-api-key-tab');
  });
});

describe('Errorception as it really sends', () => {
  it('the two published samples (webUrl over https and over http) are one error, opened over https', async () => {
    const s = source('errorceptionEngineAAAAA', 'errorception', { credentials: { secret: 'ec-secret' } });
    const { engine, post, newest } = await engineWith([s]);
    for (const name of ['blog-2012-webhooks-sample.json', 'hooks-repo-error-payload.json']) {
      const body = fixture('errorception', name) as { message: string; page: string };
      const res = await post(s.id!, { 'x-signature': errorceptionSignature('ec-secret', body.message, body.page) }, JSON.stringify(body));
      expect(res.status).toBe(200);
    }
    expect(engine.core.inbox.list({}).groups).toHaveLength(1);
    expect(newest().url).toBe('https://errorception.com/projects/4e4b1652f384ef4d2d000002/errors/4ecc86a0fc68e61a1a06fdfc');
  });
});

describe('credentials rotated without losing hooks', () => {
  it('after a regeneration the old Backtrace password is accepted (and said so) until the overlap ends', async () => {
    const s = source('backtraceEngineAAAAAAAA', 'backtrace', { credentials: { username: 'u', password: 'old-password' } });
    const { engine, post, lastReason } = await engineWith([s]);
    const view = await engine.service.updateSource(s.id!, { regenerate: true });
    expect(view.previousUntil).not.toBeNull();
    const body = fixtureText('backtrace', 'group-notification.json');
    const old = await post(s.id!, { authorization: basicAuth('u', 'old-password') }, body);
    expect(old.status).toBe(200);
    expect(lastReason()).toMatch(/accepted with the previous credentials/);
    const current = await post(s.id!, { authorization: basicAuth(view.credentials['username']!, view.credentials['password']!) }, body);
    expect(current.status).toBe(200);
    await engine.service.updateSource(s.id!, { endOverlap: true });
    expect((await post(s.id!, { authorization: basicAuth('u', 'old-password') }, body)).status).toBe(401);
  });
});
