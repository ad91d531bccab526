import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Receiver } from '../../../../main/core/receiver/receiver';
import { RequestLog } from '../../../../main/core/request-log';
import { genericProvider, signGenericRequest } from '../../../../main/core/providers/generic';
import { allSecretHeaders, getProvider } from '../../../../main/core/providers/index';
import type { ProviderModule } from '../../../../main/core/providers/types';
import type { NormalizedEvent, RequestRecord } from '../../../../shared/events';
import { sourceSchema, type Source } from '../../../../shared/settings';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { fixturePath } from '../../../helpers/paths';

const fixture = (provider: string, name: string): string => readFileSync(fixturePath(provider, name), 'utf8');

const backtraceA: Source = sourceSchema.parse({
  id: 'backtraceSourceAAAAAAAA',
  provider: 'backtrace',
  name: 'Backtrace A',
  credentials: { username: 'user-a', password: 'password-a-0123456789' },
});
const backtraceB: Source = sourceSchema.parse({
  id: 'backtraceSourceBBBBBBBB',
  provider: 'backtrace',
  name: 'Backtrace B',
  credentials: { username: 'user-b', password: 'password-b-9876543210' },
});
const errorceptionA: Source = sourceSchema.parse({
  id: 'errorceptionSourceAAAAA',
  provider: 'errorception',
  name: 'Errorception A',
  credentials: { secret: 'secret-of-project-a' },
});
const errorceptionB: Source = sourceSchema.parse({
  id: 'errorceptionSourceBBBBB',
  provider: 'errorception',
  name: 'Errorception B',
  credentials: { secret: 'secret-of-project-b' },
});
const SOURCES = [backtraceA, backtraceB, errorceptionA, errorceptionB];
/**
 * An Errorception hook with some X-Signature, for checks that come before the signature is (the body's size
 * and JSON): without the header it is refused from its headers alone.
 */
const UNCHECKED_SIGNATURE = { 'content-type': 'application/json', 'x-signature': 'checked-only-once-the-body-is-read' };

function signature(secret: string, body: string): string {
  const json = JSON.parse(body) as { message: string; page: string };
  return createHash('sha1')
    .update(secret + json.message + json.page, 'utf8')
    .digest('hex');
}

const btHeaders = (source: Source): Record<string, string> => ({
  'content-type': 'application/json',
  authorization: basicAuth(source.credentials['username']!, source.credentials['password']!),
});

let receiver: Receiver;
let port: number;
let events: NormalizedEvent[];
let rawTexts: Array<string | undefined>;
let records: RequestRecord[];
let log: RequestLog;
let failIngest: Error | null;

beforeEach(async () => {
  events = [];
  rawTexts = [];
  records = [];
  failIngest = null;
  log = new RequestLog(200, allSecretHeaders());
  receiver = new Receiver({
    getSource: (id) => SOURCES.find((s) => s.id === id),
    onEvent: async (event, _source, rawJson) => {
      if (failIngest) throw failIngest;
      events.push(event);
      rawTexts.push(rawJson);
    },
    log,
    onRecord: (r) => records.push(r),
  });
  port = await receiver.listen(0, '127.0.0.1');
});

afterEach(async () => {
  await receiver.close();
});

describe('receiver: accepted hooks end to end', () => {
  it('accepts the Backtrace seed with Basic auth and answers 200 with the event id', async () => {
    const body = fixture('backtrace', 'group-notification.json');
    const res = await sendHook(port, { path: `/hooks/${backtraceA.id}`, headers: btHeaders(backtraceA), body });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, event: events[0]!.id });
    expect(events[0]).toMatchObject({
      provider: 'backtrace',
      sourceId: backtraceA.id,
      groupKey: '8910551e27a339e542...',
      title: 'exception in printf',
      occurrences: 35,
    });
    expect(events[0]!.raw).toEqual(JSON.parse(body));
    // raw is the body as parsed, so its text goes along for the store to keep as it arrived.
    expect(rawTexts[0]).toBe(body);
    expect(records[0]).toMatchObject({
      status: 200,
      sourceId: backtraceA.id,
      provider: 'backtrace',
      eventId: events[0]!.id,
      replayable: true,
    });
    expect(records[0]!.headers['authorization']).toBe('Basic ••••••');
    expect(records[0]!.body).toBe(body);
  });

  it('accepts the Errorception seed with a valid X-Signature and parses the user agent', async () => {
    const body = fixture('errorception', 'first-occurrence.json');
    const res = await sendHook(port, {
      path: `/hooks/${errorceptionA.id}`,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-signature': signature('secret-of-project-a', body) },
      body,
    });
    expect(res.status).toBe(200);
    expect(events[0]).toMatchObject({
      provider: 'errorception',
      title: '"_WidgetManager" is undefined',
      browser: { name: 'Android Browser', version: '4.0' },
      os: { name: 'Android', version: '4.1.2' },
      lifecycle: 'new',
    });
  });

  it('accepts application/*+json content types and extra fields', async () => {
    const body = fixture('backtrace', 'extra-fields.json');
    const res = await sendHook(port, {
      path: `/hooks/${backtraceA.id}/`,
      headers: { ...btHeaders(backtraceA), 'content-type': 'application/vnd.backtrace+json; charset=UTF-8' },
      body,
    });
    expect(res.status).toBe(200);
    expect((events[0]!.raw as Record<string, unknown>)['sauce_region']).toBe('eu-west');
  });

  it('keeps two Errorception sources with different secrets apart', async () => {
    const body = fixture('errorception', 'extra-fields.json');
    const toA = await sendHook(port, {
      path: `/hooks/${errorceptionA.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': signature('secret-of-project-a', body) },
      body,
    });
    const toB = await sendHook(port, {
      path: `/hooks/${errorceptionB.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': signature('secret-of-project-b', body) },
      body,
    });
    const crossed = await sendHook(port, {
      path: `/hooks/${errorceptionB.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': signature('secret-of-project-a', body) },
      body,
    });
    expect([toA.status, toB.status, crossed.status]).toEqual([200, 200, 401]);
    expect(events.map((e) => e.sourceId)).toEqual([errorceptionA.id, errorceptionB.id]);
  });

  it('keeps two Backtrace sources with different credentials apart', async () => {
    const body = fixture('backtrace', 'group-notification.json');
    const toA = await sendHook(port, { path: `/hooks/${backtraceA.id}`, headers: btHeaders(backtraceA), body });
    const toB = await sendHook(port, { path: `/hooks/${backtraceB.id}`, headers: btHeaders(backtraceB), body });
    const crossed = await sendHook(port, { path: `/hooks/${backtraceB.id}`, headers: btHeaders(backtraceA), body });
    expect([toA.status, toB.status, crossed.status]).toEqual([200, 200, 401]);
    expect(events.map((e) => e.sourceId)).toEqual([backtraceA.id, backtraceB.id]);
  });

  it('answers 503 and records the request when the inbox cannot store the event', async () => {
    failIngest = new Error('disk full');
    const body = fixture('backtrace', 'group-notification.json');
    const res = await sendHook(port, { path: `/hooks/${backtraceA.id}`, headers: btHeaders(backtraceA), body });
    expect(res.status).toBe(503);
    expect(res.json?.['error']).toMatch(/disk full/);
    expect(records[0]).toMatchObject({ status: 503, sourceId: backtraceA.id });
    // The receiver keeps serving afterwards.
    failIngest = null;
    const again = await sendHook(port, { path: `/hooks/${backtraceA.id}`, headers: btHeaders(backtraceA), body });
    expect(again.status).toBe(200);
  });

  it('answers 200 only after the ingest resolves', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await receiver.close();
    let ingested = false;
    let entered: () => void = () => undefined;
    const ingestStarted = new Promise<void>((resolve) => (entered = resolve));
    receiver = new Receiver({
      getSource: (id) => SOURCES.find((s) => s.id === id),
      onEvent: async () => {
        entered();
        await gate;
        ingested = true;
      },
      log,
    });
    port = await receiver.listen(0);
    const pending = sendHook(port, {
      path: `/hooks/${backtraceA.id}`,
      headers: btHeaders(backtraceA),
      body: fixture('backtrace', 'group-notification.json'),
    });
    let answered = false;
    void pending.then(() => (answered = true));
    await ingestStarted;
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(ingested).toBe(true);
  });
});

describe('receiver: stopping', () => {
  it('close() lets a hook whose ingest is under way finish, answers it, then stops', async () => {
    await receiver.close();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const ingestStarted = new Promise<void>((resolve) => (entered = resolve));
    receiver = new Receiver({
      getSource: (id) => SOURCES.find((s) => s.id === id),
      onEvent: async () => {
        entered();
        await gate;
      },
      log,
    });
    port = await receiver.listen(0);
    const pending = sendHook(port, {
      path: `/hooks/${backtraceA.id}`,
      headers: btHeaders(backtraceA),
      body: fixture('backtrace', 'group-notification.json'),
    });
    await ingestStarted;
    let closed = false;
    const closing = receiver.close(10_000).then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release();
    expect((await pending).status).toBe(200);
    await closing;
    expect(receiver.listening).toBe(false);
  });

  it('close() stops waiting after its grace period when an ingest never settles', async () => {
    await receiver.close();
    let entered: () => void = () => undefined;
    const ingestStarted = new Promise<void>((resolve) => (entered = resolve));
    receiver = new Receiver({
      getSource: (id) => SOURCES.find((s) => s.id === id),
      onEvent: () => {
        entered();
        return new Promise<undefined>(() => undefined);
      },
      log,
    });
    port = await receiver.listen(0);
    const pending = sendHook(port, {
      path: `/hooks/${backtraceA.id}`,
      headers: btHeaders(backtraceA),
      body: fixture('backtrace', 'group-notification.json'),
    }).catch((error: unknown) => error);
    await ingestStarted;
    await receiver.close(50);
    expect(receiver.listening).toBe(false);
    // The connection was closed under it: the sender sees no answer (and retries), never a 2xx.
    const outcome = await pending;
    expect(outcome instanceof Error || (outcome as { status: number }).status !== 200).toBe(true);
  });
});

describe('receiver: every rejection has a status and a reason', () => {
  const bt = (): string => fixture('backtrace', 'group-notification.json');

  it.each([
    ['/', 'GET'],
    ['/favicon.ico', 'GET'],
    ['/hooks', 'POST'],
    ['/hooks/', 'POST'],
    ['/status', 'GET'],
    ['/api/groups', 'GET'],
    [`/hooks/${'backtraceSourceAAAAAAAA'}/extra`, 'POST'],
  ])('404 for %s (%s) without any listing', async (path, method) => {
    const res = await sendHook(port, { method, path });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ ok: false });
    // Only "not found": nothing about the routes (no /hooks/, no POST), the request log says why.
    expect(res.json).toEqual({ ok: false, error: 'not found' });
    expect(res.text).not.toContain(backtraceA.id);
    expect(res.text).not.toMatch(/hooks|POST/);
    expect(records.at(-1)?.reason).toMatch(/only POST \/hooks\/<source id> answers here/);
  });

  it('404 for an unknown source id', async () => {
    const res = await sendHook(port, { path: '/hooks/doesNotExist0000000000', headers: btHeaders(backtraceA), body: bt() });
    expect(res.status).toBe(404);
    expect(res.json?.['error']).toBe('not found');
    expect(records[0]).toMatchObject({ status: 404, sourceId: null, reason: expect.stringMatching(/unknown source/) });
  });

  it('404 for an undecodable source id', async () => {
    const res = await sendHook(port, { path: '/hooks/%E0%A4%A', headers: btHeaders(backtraceA), body: bt() });
    expect(res.status).toBe(404);
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('405 with Allow: POST for %s', async (method) => {
    const res = await sendHook(port, { method, path: `/hooks/${backtraceA.id}` });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect(res.json?.['error']).toMatch(/POST/);
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['multipart/form-data; boundary=x'], ['application/jsonp']])(
    '415 for content type %s',
    async (type) => {
      const res = await sendHook(port, {
        path: `/hooks/${backtraceA.id}`,
        headers: { ...btHeaders(backtraceA), 'content-type': type },
        body: bt(),
      });
      expect(res.status).toBe(415);
      expect(res.json?.['error']).toMatch(/application\/json/);
    },
  );

  it('415 without a content type', async () => {
    const res = await sendHook(port, { path: `/hooks/${errorceptionA.id}`, body: '{}' });
    expect(res.status).toBe(415);
  });

  it('413 when Content-Length announces more than 1 MiB, without reading it', async () => {
    const body = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const res = await sendHook(port, { path: `/hooks/${errorceptionA.id}`, headers: UNCHECKED_SIGNATURE, body });
    expect(res.status).toBe(413);
    expect(res.json?.['error']).toMatch(/limit/);
    expect(records[0]).toMatchObject({ status: 413, bodyTruncated: true, replayable: false });
  });

  it('413 when a chunked body without Content-Length grows past 1 MiB, and the receiver stops reading', async () => {
    const res = await sendHook(port, {
      path: `/hooks/${errorceptionA.id}`,
      headers: UNCHECKED_SIGNATURE,
      body: '{"message":"',
      // Far more than the limit: the request only completes if the server stops reading early.
      streamBytes: 64 * 1024 * 1024,
    });
    expect(res.status).toBe(413);
    expect(records[0]!.status).toBe(413);
    expect(records[0]!.body.length).toBeLessThanOrEqual(64 * 1024);
    expect(records[0]!.bodyBytes).toBeLessThan(8 * 1024 * 1024);
    expect(events).toHaveLength(0);
  });

  it('400 for malformed JSON', async () => {
    const body = fixture('errorception', 'first-occurrence.json').slice(0, -5);
    const res = await sendHook(port, { path: `/hooks/${errorceptionA.id}`, headers: UNCHECKED_SIGNATURE, body });
    expect(res.status).toBe(400);
    expect(res.json?.['error']).toMatch(/malformed JSON/);
  });

  it('400 for the seed as documented (with comments and a trailing comma): real bodies are JSON', async () => {
    const body = '{\n// Universe in which the group is member of.\n"universe": "my_universe",\n"fingerprint": "abc",\n}';
    const res = await sendHook(port, { path: `/hooks/${backtraceA.id}`, headers: btHeaders(backtraceA), body });
    expect(res.status).toBe(400);
  });

  it('400 for an empty body', async () => {
    const res = await sendHook(port, { path: `/hooks/${backtraceA.id}`, headers: btHeaders(backtraceA), body: '' });
    expect(res.status).toBe(400);
  });

  it('400 naming "fingerprint" when Backtrace sends none', async () => {
    const res = await sendHook(port, {
      path: `/hooks/${backtraceA.id}`,
      headers: btHeaders(backtraceA),
      body: fixture('backtrace', 'missing-fingerprint.json'),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ ok: false, field: 'fingerprint' });
    expect(res.json?.['error']).toMatch(/fingerprint/);
  });

  it.each([
    ['message', 'missing-message.json'],
    ['page', 'missing-page.json'],
  ])('400 naming "%s" when Errorception sends none', async (field, file) => {
    const body = fixture('errorception', file);
    const res = await sendHook(port, {
      path: `/hooks/${errorceptionA.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': 'whatever' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ ok: false, field });
  });

  it.each([
    ['missing', undefined],
    ['wrong', basicAuth('user-a', 'not-the-password')],
  ])('401 with WWW-Authenticate for %s Basic credentials, before the body is judged', async (_label, authorization) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
    const res = await sendHook(port, { path: `/hooks/${backtraceA.id}`, headers, body: 'not even json' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Crashbell"');
    expect(res.json?.['error']).toBeTruthy();
  });

  it.each([
    ['missing', undefined],
    ['wrong', '0'.repeat(40)],
  ])('401 for a %s X-Signature', async (_label, sig) => {
    const body = fixture('errorception', 'first-occurrence.json');
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(sig ? { 'x-signature': sig } : {}) };
    const res = await sendHook(port, { path: `/hooks/${errorceptionA.id}`, headers, body });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.json?.['error']).toMatch(/X-Signature/);
  });

  it('records every rejection with its status and reason, and reports them', async () => {
    await sendHook(port, { method: 'GET', path: '/' });
    await sendHook(port, { method: 'GET', path: `/hooks/${backtraceA.id}` });
    expect(records.map((r) => r.status)).toEqual([404, 405]);
    expect(records.every((r) => r.reason.length > 0)).toBe(true);
    expect(log.list().map((r) => r.status)).toEqual([405, 404]);
  });

  it('survives malformed HTTP and keeps answering', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      socket.on('data', () => undefined);
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const res = await sendHook(port, { method: 'GET', path: '/' });
    expect(res.status).toBe(404);
    expect(records.some((r) => r.status === 400 && /malformed HTTP/.test(r.reason))).toBe(true);
  });
});

describe('receiver: the request log masks credentials', () => {
  const genericSource: Source = sourceSchema.parse({
    id: 'genericSourceAAAAAAAAAA',
    provider: 'generic',
    name: 'Deploy bot',
    config: { titlePath: '$.title', groupKeyPath: '$.id', verification: 'hmac', signatureHeader: 'x-deploybot-mac' },
    credentials: { secret: 'generic-secret' },
  });

  /** A receiver over the real registry, except the generic module also names its source's configured header. */
  async function withGeneric(module: ProviderModule): Promise<{ port: number; records: RequestRecord[] }> {
    await receiver.close();
    const seen: RequestRecord[] = [];
    receiver = new Receiver({
      getSource: (id) => [...SOURCES, genericSource].find((s) => s.id === id),
      onEvent: async () => undefined,
      log,
      onRecord: (r) => seen.push(r),
      getProvider: (id) => (id === 'generic' ? module : getProvider(id)),
    });
    port = await receiver.listen(0);
    return { port, records: seen };
  }

  it("masks the header a source's module names for it, its default credential headers, and nothing else", async () => {
    const { port: p, records: seen } = await withGeneric({
      ...genericProvider,
      secretHeadersOf: (s) => [String(s.config['signatureHeader'])],
    });
    const body = JSON.stringify({ title: 'Deploy failed', id: 'd-1' });
    const res = await sendHook(p, {
      path: `/hooks/${genericSource.id}`,
      headers: {
        'content-type': 'application/json',
        'x-deploybot-mac': signGenericRequest(genericSource, body, Date.now())['x-deploybot-mac']!,
        'x-deploybot-token': 'tok-123',
        'x-hub-signature-256': 'sha256=abc',
        cookie: 'session=1',
        'x-request-id': 'req-7',
      },
      body,
    });
    expect(res.status).toBe(200);
    const headers = seen[0]!.headers;
    expect(headers['x-deploybot-mac']).toBe('••••••');
    expect(headers['x-deploybot-token']).toBe('••••••');
    expect(headers['x-hub-signature-256']).toBe('••••••');
    expect(headers['cookie']).toBe('••••••');
    expect(headers['x-request-id']).toBe('req-7');
    // What the window is sent and what list() returns carry no credential at all.
    expect(JSON.stringify(log.list())).not.toMatch(/tok-123|session=1|sha256=abc/);
    // Replay keeps the request exactly as it came.
    expect(log.original(seen[0]!.id)?.headers['x-deploybot-token']).toBe('tok-123');
  });

  it("still masks the provider's and the default headers when the module cannot name the source's own", async () => {
    const { port: p, records: seen } = await withGeneric({
      ...genericProvider,
      secretHeadersOf: () => {
        throw new Error('unreadable config');
      },
    });
    const res = await sendHook(p, {
      path: `/hooks/${genericSource.id}`,
      headers: { 'content-type': 'application/json', 'webhook-signature': 'v1,abc', authorization: 'Bearer xyz' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(seen[0]!.headers).toMatchObject({ 'webhook-signature': '••••••', authorization: 'Bearer ••••••' });
  });
});
