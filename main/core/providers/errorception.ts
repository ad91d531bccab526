/**
 * Errorception WebHooks: one POST per JavaScript error (or only its first occurrence), signed with
 * `X-Signature` = hex(sha1(secret + message + page)). The secret is shown on Errorception's settings page and
 * pasted into the source. Wire format: the WebHooks page (shared seed `errorception-webhook.txt`) and the
 * sender, errorception/errorception-hooks `hooks/webhook/index.js` (User-Agent `Errorception Notifications`).
 *
 * Errorception makes the secret only once the WebHook is saved, and the WebHook needs Crashbell's URL first:
 * a source is made without it, and its hooks get 401 "not set yet" until it is pasted.
 *
 * Only `message` and `page` are signed: the rest of the body (`webUrl` among it) is whatever a replay of a
 * captured signature carries, so links are held to Errorception's host by the link guard, and the group key
 * is the error's identity read from `webUrl` (`/projects/<id>/errors/<id>`), not the raw string, since the
 * published samples spell the same error's `webUrl` with http and with https.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AgentPart } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { sourceToCheck } from '../credentials';
import { dateToIso, header, lenientBoolean, lenientString, parseUserAgent, safeEqual, schemaRejection, sha256Hex } from './helpers';
import { blankEvent } from './parsed-event';
import type { HookRequest, ParseResult, ProviderModule, Rejection, SampleRequest } from './types';

/** Errorception's body. `message` and `page` are signed and required; everything else is optional and kept. */
export const errorceptionBodySchema = z.looseObject({
  message: z.string(),
  page: z.string(),
  isInline: lenientBoolean,
  userAgent: lenientString,
  when: lenientString,
  scriptPath: lenientString,
  date: lenientString,
  isFirstOccurrence: lenientBoolean,
  webUrl: lenientString,
  apiUrl: lenientString,
});

export type ErrorceptionBody = z.infer<typeof errorceptionBodySchema>;

/** Ten minutes: Errorception signs no delivery id, so an identical body inside this window is a redelivery. */
const REDELIVERY_WINDOW_MS = 10 * 60 * 1000;

/** hex(sha1(secret + message + page)) over UTF-8, as Errorception computes it. */
export function errorceptionSignature(secret: string, message: string, page: string): string {
  return createHash('sha1').update(`${secret}${message}${page}`, 'utf8').digest('hex');
}

function agentText(part: AgentPart | null): string {
  if (!part) return '';
  return [part.name, part.version].filter((p): p is string => !!p).join(' ');
}

/** "page — Chrome 120.0 on Windows 10": where it happened and on what. */
export function errorceptionDescription(page: string, browser: AgentPart | null, os: AgentPart | null): string {
  const b = agentText(browser);
  const o = agentText(os);
  const agent = b && o ? `${b} on ${o}` : b || (o ? `on ${o}` : '');
  const where = page || '(unknown page)';
  return agent ? `${where} — ${agent}` : where;
}

function fieldRejection(field: 'message' | 'page', value: unknown): Rejection {
  const reason =
    value === undefined ? `missing required field "${field}"` : `field "${field}" must be a string (it is signed by X-Signature)`;
  return { status: 400, reason, field };
}

const ERROR_PATH = /^\/projects\/([A-Za-z0-9_-]{1,100})\/errors\/([A-Za-z0-9_-]{1,100})\/?$/;

/**
 * The error's page in Errorception's app, in its one canonical form (`https://errorception.com/projects/<id>/errors/<id>`),
 * read from a `webUrl` on Errorception's host over http or https; null for anything else.
 */
export function errorceptionErrorUrl(webUrl: string | null): string | null {
  if (!webUrl) return null;
  let url: URL;
  try {
    url = new URL(webUrl.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname.toLowerCase() !== 'errorception.com' || url.port !== '') {
    return null;
  }
  const match = ERROR_PATH.exec(url.pathname);
  return match ? `https://errorception.com/projects/${match[1]}/errors/${match[2]}` : null;
}

/** Neutral about where it is set (the app's Setup, or a config file's `credentials`): the sender reads it too. */
const NOT_SET =
  "the secret is not set yet: add it to this source's credentials (Errorception shows it under Settings → Service Hooks → WebHooks once the WebHook is saved)";

function signedFields(json: unknown): { message: string; page: string } | Rejection {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { status: 400, reason: 'the body must be a JSON object' };
  }
  const body = json as Record<string, unknown>;
  const message = body['message'];
  const page = body['page'];
  if (typeof message !== 'string') return fieldRejection('message', message);
  if (typeof page !== 'string') return fieldRejection('page', page);
  return { message, page };
}

export const errorceptionProvider: ProviderModule = {
  id: 'errorception',
  name: 'Errorception',
  mark: { text: 'Ec', color: '#c2255c' },
  docsUrl: 'https://blog.errorception.com/2012/11/webhooks.html',
  actions: {
    kind: 'local',
    reason: 'Errorception has no API for changing an error, so Crashbell changes it here only',
  },
  credentials: [
    {
      key: 'secret',
      label: 'Secret key',
      generated: false,
      secret: true,
      required: true,
      pasteLater: true,
      help: 'Errorception shows it under Settings → Service Hooks → WebHooks once the WebHook is saved; paste it here then.',
    },
  ],
  secretHeaders: ['x-signature'],
  securityNote: null,
  webHosts: ['errorception.com'],
  webUrlHelp: null,
  setupSteps: [
    'Add the source here first: its webhook URL exists at once, and the source waits for its secret.',
    'In Errorception, open Settings → Service Hooks → WebHooks.',
    'Paste the webhook URL below and choose whether to call it every time an error occurs or only the first time, then save the WebHook.',
    'Copy the secret key Errorception now shows for this WebHook and paste it into this source; until then its hooks are refused with "the secret is not set yet".',
    "Crashbell checks every hook's X-Signature with that secret. Errorception signs only the message and the page, so links are opened only on errorception.com.",
  ],
  generateCredentials() {
    // The secret is Errorception's, not ours: the user pastes it once Errorception has made it.
    return {};
  },
  validateSource() {
    // Without the secret the source waits for it (its hooks are refused until then): nothing else to check.
    return null;
  },
  verifyHeaders(source, headers) {
    // Refused before the body is read: a source still waiting for its secret, or a hook that carries none.
    if (source.credentials['secret'] === undefined) return { status: 401, reason: NOT_SET };
    if (!header(headers, 'x-signature')) return { status: 401, reason: 'missing X-Signature header' };
    // A signature is there, but it can only be checked against the body: nothing is authenticated yet.
    return undefined;
  },
  verify(req: HookRequest) {
    try {
      const fields = signedFields(req.json);
      if ('status' in fields) return fields;
      const secret = req.source.credentials['secret'];
      if (secret === undefined) return { status: 401, reason: NOT_SET };
      const given = header(req.headers, 'x-signature');
      if (!given) return { status: 401, reason: 'missing X-Signature header' };
      const expected = errorceptionSignature(secret, fields.message, fields.page);
      const value = given.trim().toLowerCase();
      return safeEqual(value, expected)
        ? null
        : {
            status: 401,
            reason: `X-Signature does not match: it was compared with the hex SHA-1 of this source's secret key followed by the body's "message" and "page" fields (received ${value.length} characters; a hex SHA-1 has 40); check the secret key pasted into this source`,
          };
    } catch (error) {
      return { status: 400, reason: `the body could not be checked: ${String(error)}` };
    }
  },
  parse(req: HookRequest): ParseResult {
    try {
      const fields = signedFields(req.json);
      if ('status' in fields) return { ok: false, rejection: fields };
      const checked = errorceptionBodySchema.safeParse(req.json);
      if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error, req.json) };
      const body = checked.data;
      const { browser, os } = parseUserAgent(body.userAgent);
      const when = dateToIso(body.date);
      const errorUrl = errorceptionErrorUrl(body.webUrl);
      const groupKey = errorUrl ?? `message:${sha256Hex(`${body.message}\n${body.page}`)}`;
      return {
        ok: true,
        event: blankEvent({
          groupKey,
          title: body.message.trim() || '(error without a message)',
          description: errorceptionDescription(body.page, browser, os),
          // A webUrl off Errorception's host is kept as it came: the link guard shows it and refuses it.
          url: errorUrl ?? body.webUrl,
          // Each hook is one occurrence; the inbox counts hooks.
          occurrences: null,
          firstSeen: when,
          lastSeen: when,
          page: body.page,
          userAgent: body.userAgent,
          browser,
          os,
          isFirstOccurrence: body.isFirstOccurrence,
          lifecycle: body.isFirstOccurrence ? 'new' : 'recurring',
          redelivery: { key: sha256Hex(req.rawBody), windowMs: REDELIVERY_WINDOW_MS },
          raw: req.json,
        }),
      };
    } catch (error) {
      return { ok: false, rejection: { status: 400, reason: `the body could not be read: ${String(error)}` } };
    }
  },
  sample(source: Source, now: number): SampleRequest {
    const project = '4e4b1652f384ef4d2d000002';
    const errorId = randomBytes(12).toString('hex');
    const message = '"_WidgetManager" is undefined';
    const page = 'http://blog.rakeshpai.me/2007/02/ies-unknown-runtime-error-when-using.html';
    const body = {
      isInline: true,
      message,
      userAgent:
        'Mozilla/5.0 (Linux; U; Android 4.1.2; en-us; GT-I9100G Build/JZO54K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30',
      when: 'after',
      scriptPath: null,
      page,
      date: new Date(now).toISOString(),
      isFirstOccurrence: true,
      webUrl: `https://errorception.com/projects/${project}/errors/${errorId}`,
      apiUrl: `https://api.errorception.com/projects/${project}/errors/${errorId}`,
    };
    return {
      headers: {
        'content-type': 'application/json',
        'x-signature': errorceptionSignature(sourceToCheck(source).credentials['secret'] ?? '', message, page),
        'user-agent': 'Crashbell test event (Errorception format)',
      },
      body: JSON.stringify(body),
    };
  },
};
