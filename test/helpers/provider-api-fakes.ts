/**
 * Local fakes of the provider APIs Crashbell acts through (Sentry, Bugsnag, Rollbar, Honeybadger), each on
 * 127.0.0.1, each behaving as its provider's documentation describes: the routes, methods, authentication and
 * body fields it accepts, the scopes it checks, what it answers and with which status. A request the
 * documentation does not describe is refused with 400 and the words the test will see. The sources are named on
 * each fake and in the README of its fixture folder (test/fixtures/<provider>-api/).
 *
 * Tests can put answers in front of the documented behaviour (`fake.answerNext(...)`): a 429 with `Retry-After`, a
 * hang, a huge or non-JSON body, a redirect to another host.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FIXTURES } from './paths';

/** A request as the fake received it. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
}

/** An answer: a status with headers and a body (JSON unless `raw`), a hang, or a body of `huge` bytes. */
export type FakeAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown; raw?: string }
  | { hang: true }
  | { huge: number; status?: number; contentType?: string };

type Behaviour = (req: FakeRequest) => FakeAnswer;

/** One fake API server. */
export class ProviderApiFake {
  readonly requests: FakeRequest[] = [];
  private readonly queue: FakeAnswer[] = [];
  private server: http.Server | null = null;
  private base = '';

  constructor(
    /** The documentation the fake follows (URLs), for failure messages. */
    readonly sources: readonly string[],
    private readonly behave: Behaviour,
  ) {}

  /** Answers the next requests with these, in order, before the documented behaviour takes over again. */
  answerNext(...answers: FakeAnswer[]): this {
    this.queue.push(...answers);
    return this;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.base;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
        const request: FakeRequest = { method: req.method ?? '', path: req.url ?? '', headers, body };
        this.requests.push(request);
        const answer = this.queue.shift() ?? this.behave(request);
        if ('hang' in answer) return; // the socket is closed when the fake stops
        if ('huge' in answer) {
          res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' });
          // A JSON-looking start, so only the size can make it unreadable.
          const piece = Buffer.alloc(64 * 1024, 'a');
          res.write('{"data": "');
          let left = answer.huge;
          const pump = () => {
            while (left > 0) {
              left -= piece.length;
              if (!res.write(piece)) return void res.once('drain', pump);
            }
            res.end('"}');
          };
          res.on('error', () => undefined);
          pump();
          return;
        }
        const raw = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
        const type = answer.raw !== undefined ? {} : answer.body === undefined ? {} : { 'content-type': 'application/json' };
        res.writeHead(answer.status, { ...type, ...answer.headers });
        res.end(raw);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function fixture(folder: string, name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, folder, name), 'utf8'));
}

/** Which keys of an object are not among `allowed`. */
function extraKeys(value: unknown, allowed: readonly string[]): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['(the body is not a JSON object)'];
  return Object.keys(value).filter((k) => !allowed.includes(k));
}

function isInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * Sentry's web API: https://docs.sentry.io/api/events/update-an-issue/, getsentry/sentry-api-schema
 * `openapi-derefed.json` (updateOrganizationIssue, Retrieve an Issue, List Your Organizations).
 * `tokens` maps each valid token to its scopes; `issues` names the issues that exist, as `org/issueId`.
 */
export function sentryApiFake(tokens: Record<string, string[]>, issues: string[]): ProviderApiFake {
  const detail = (status: number, text: string): FakeAnswer => ({ status, body: { detail: text } });
  const updated = fixture('sentry-api', 'api-schema-update-an-issue-200.json') as Record<string, unknown>;
  return new ProviderApiFake(
    ['https://docs.sentry.io/api/events/update-an-issue/', 'getsentry/sentry-api-schema openapi-derefed.json'],
    (req) => {
      const auth = /^Bearer (\S+)$/.exec(req.headers['authorization'] ?? '');
      const scopes = auth ? tokens[auth[1]!] : undefined;
      if (!scopes) return detail(401, 'Invalid token');
      if (req.method === 'GET' && req.path === '/api/0/organizations/') {
        return scopes.some((s) => s.startsWith('org:'))
          ? { status: 200, body: fixture('sentry-api', 'api-schema-list-your-organizations-200.json') }
          : detail(403, 'You do not have permission to perform this action.');
      }
      const match = /^\/api\/0\/organizations\/([^/]+)\/issues\/([^/]+)\/$/.exec(req.path);
      if (!match) return detail(404, 'The requested resource does not exist');
      const known = issues.includes(`${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`);
      if (req.method === 'GET') {
        if (!scopes.some((s) => ['event:read', 'event:write', 'event:admin'].includes(s)))
          return detail(403, 'You do not have permission to perform this action.');
        if (!known) return detail(404, 'The requested resource does not exist');
        return { status: 200, body: fixture('sentry-api', 'api-schema-retrieve-an-issue-200.json') };
      }
      if (req.method !== 'PUT') return detail(405, `Method "${req.method}" not allowed.`);
      if (!scopes.some((s) => ['event:write', 'event:admin'].includes(s)))
        return detail(403, 'You do not have permission to perform this action.');
      if (!known) return detail(404, 'The requested resource does not exist');
      const body = req.body as Record<string, unknown>;
      const documented = [
        'inbox',
        'status',
        'statusDetails',
        'substatus',
        'hasSeen',
        'isBookmarked',
        'isPublic',
        'isSubscribed',
        'merge',
        'discard',
        'assignedTo',
        'priority',
      ];
      const extra = extraKeys(body, documented);
      if (extra.length > 0) return detail(400, `undocumented fields: ${extra.join(', ')}`);
      if (
        body['status'] !== undefined &&
        !['resolved', 'unresolved', 'ignored', 'resolvedInNextRelease', 'muted'].includes(String(body['status']))
      ) {
        return detail(400, `"${String(body['status'])}" is not a valid choice.`);
      }
      const substatuses = [
        'archived_until_escalating',
        'archived_until_condition_met',
        'archived_forever',
        'escalating',
        'ongoing',
        'regressed',
        'new',
      ];
      if (body['substatus'] !== undefined && !substatuses.includes(String(body['substatus']))) return detail(400, 'not a valid substatus');
      if (body['statusDetails'] !== undefined) {
        const details = body['statusDetails'] as Record<string, unknown>;
        const bad = extraKeys(details, [
          'inNextRelease',
          'inRelease',
          'inCommit',
          'ignoreDuration',
          'ignoreCount',
          'ignoreWindow',
          'ignoreUserCount',
          'ignoreUserWindow',
        ]);
        if (bad.length > 0) return detail(400, `undocumented statusDetails: ${bad.join(', ')}`);
        for (const key of ['ignoreDuration', 'ignoreCount'])
          if (details[key] !== undefined && !isInt(details[key])) return detail(400, `${key} must be an integer`);
      }
      if (body['assignedTo'] !== undefined && typeof body['assignedTo'] !== 'string') return detail(400, 'assignedTo must be a string');
      return { status: 200, body: { ...updated, ...(typeof body['status'] === 'string' ? { status: body['status'] } : {}) } };
    },
  );
}

/**
 * Bugsnag's Data Access API v2: "Update an Error" / "View an Error" in SmartBear's published OpenAPI document,
 * https://docs.bugsnag.com/api/data-access/ (X-Version), bugsnag/bugsnag-api-ruby (`user/organizations`).
 * `tokens` maps each personal auth token to the project ids its user can see; `errors` names `projectId/errorId`.
 */
export function bugsnagApiFake(tokens: Record<string, string[]>, errors: string[]): ProviderApiFake {
  const refuse = (status: number, text: string): FakeAnswer => ({ status, body: { errors: [text] } });
  const view = fixture('bugsnag-api', 'view-an-error-200.json') as Record<string, unknown>;
  return new ProviderApiFake(
    ['https://docs.bugsnag.com/api/data-access/', 'SmartBear bugsnag-data-access-api/2 (ErrorUpdateRequest)'],
    (req) => {
      const auth = /^token (\S+)$/.exec(req.headers['authorization'] ?? '');
      const projects = auth ? tokens[auth[1]!] : undefined;
      if (!projects) return refuse(401, 'Bad credentials');
      if (req.headers['x-version'] !== '2') return refuse(400, 'send X-Version: 2');
      if (req.method === 'GET' && req.path === '/user/organizations')
        return { status: 200, body: fixture('bugsnag-api', 'user-organizations-200.json') };
      const match = /^\/projects\/([^/]+)\/errors\/([^/?]+)$/.exec(req.path);
      if (!match) return refuse(404, 'Not found');
      const [projectId, errorId] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
      if (!projects.includes(projectId)) return refuse(403, 'You do not have access to this project');
      if (!errors.includes(`${projectId}/${errorId}`)) return refuse(404, 'Error not found');
      if (req.method === 'GET') return { status: 200, body: { ...view, id: errorId, project_id: projectId } };
      if (req.method !== 'PATCH') return refuse(405, 'Method not allowed');
      const body = req.body as Record<string, unknown>;
      const extra = extraKeys(body, [
        'operation',
        'assigned_collaborator_id',
        'assigned_team_id',
        'issue_url',
        'verify_issue_url',
        'issue_title',
        'notification_id',
        'reopen_rules',
        'severity',
      ]);
      if (extra.length > 0) return refuse(400, `undocumented fields: ${extra.join(', ')}`);
      const operations = [
        'override_severity',
        'assign',
        'create_issue',
        'link_issue',
        'unlink_issue',
        'open',
        'snooze',
        'fix',
        'ignore',
        'delete',
        'discard',
        'undiscard',
      ];
      if (!operations.includes(String(body['operation']))) return refuse(400, 'operation is not valid');
      if (body['operation'] === 'snooze') {
        const rules = body['reopen_rules'] as Record<string, unknown> | undefined;
        const ok =
          rules !== undefined &&
          ((rules['reopen_if'] === 'occurs_after' && isInt(rules['seconds'])) ||
            (rules['reopen_if'] === 'n_additional_occurrences' && isInt(rules['additional_occurrences'])));
        if (!ok) return refuse(400, 'reopen_rules are not valid');
      }
      if (body['operation'] === 'assign' && typeof body['assigned_collaborator_id'] !== 'string')
        return refuse(400, 'assigned_collaborator_id is required');
      const status = { fix: 'fixed', open: 'open', snooze: 'snoozed', ignore: 'ignored' }[String(body['operation'])] ?? view['status'];
      return { status: 200, body: { ...view, id: errorId, project_id: projectId, status } };
    },
  );
}

/**
 * Rollbar's API: https://docs.rollbar.com/reference/update-an-item (and its OpenAPI definition),
 * https://docs.rollbar.com/reference/getting-started-1 (scopes, HTTP codes). `tokens` maps each project access token
 * to its scopes; `items` lists the item ids of the project.
 */
export function rollbarApiFake(tokens: Record<string, string[]>, items: string[]): ProviderApiFake {
  const refuse = (status: number, message: string): FakeAnswer => ({ status, body: { err: 1, message } });
  return new ProviderApiFake(
    ['https://docs.rollbar.com/reference/update-an-item', 'https://docs.rollbar.com/reference/getting-started-1'],
    (req) => {
      const scopes = tokens[req.headers['x-rollbar-access-token'] ?? ''];
      // The reference: 403 "Access token was missing, invalid, or does not have the necessary permissions".
      if (!scopes) return refuse(403, 'invalid access token');
      const needs = req.method === 'GET' ? 'read' : 'write';
      if (!scopes.includes(needs)) return refuse(403, `access token does not have the ${needs} scope`);
      if (req.method === 'GET' && req.path === '/api/1/items/')
        return { status: 200, body: { err: 0, result: { items: [], page: 1, total_count: 0 } } };
      const match = /^\/api\/1\/item\/([^/?]+)$/.exec(req.path);
      if (!match) return refuse(404, 'Not found');
      const id = decodeURIComponent(match[1]!);
      if (!items.includes(id)) return { status: 404, body: fixture('rollbar-api', 'update-an-item-error.json') };
      if (req.method === 'GET') return { status: 200, body: fixture('rollbar-api', 'get-an-item-200.json') };
      if (req.method !== 'PATCH') return refuse(405, 'Method not allowed');
      const body = req.body as Record<string, unknown>;
      const extra = extraKeys(body, [
        'status',
        'resolved_in_version',
        'title',
        'level',
        'assigned_user_id',
        'assigned_team_id',
        'snooze_enabled',
        'snooze_expiration_in_seconds',
      ]);
      if (extra.length > 0) return refuse(422, `undocumented fields: ${extra.join(', ')}`);
      if (body['status'] !== undefined && !['active', 'resolved', 'muted'].includes(String(body['status'])))
        return refuse(422, 'status is not valid');
      if (body['snooze_enabled'] !== undefined && typeof body['snooze_enabled'] !== 'boolean')
        return refuse(422, 'snooze_enabled must be a boolean');
      if (body['snooze_expiration_in_seconds'] !== undefined && !isInt(body['snooze_expiration_in_seconds']))
        return refuse(422, 'snooze_expiration_in_seconds must be an integer');
      if (body['assigned_user_id'] !== undefined && !isInt(body['assigned_user_id']))
        return refuse(422, 'assigned_user_id must be an integer');
      // The 200 schema: `err: 0` and the fields sent in the patch body.
      return { status: 200, body: { err: 0, result: body } };
    },
  );
}

/**
 * Honeybadger's Data API v2: https://docs.honeybadger.io/api/getting-started (Basic auth, rate limit),
 * https://docs.honeybadger.io/api/faults/, honeybadger-io/cli `cmd/faults.go` (the update and its 204). `tokens` maps
 * each personal auth token to the project ids its user can see; `faults` names `projectId/faultId`;
 * `hourlyLimit` is the documented 360 by default.
 */
export function honeybadgerApiFake(tokens: Record<string, string[]>, faults: string[], hourlyLimit = 360): ProviderApiFake {
  const refuse = (status: number, text: string, headers: Record<string, string> = {}): FakeAnswer => ({
    status,
    headers,
    body: { errors: text },
  });
  let used = 0;
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  return new ProviderApiFake(
    ['https://docs.honeybadger.io/api/getting-started', 'https://docs.honeybadger.io/api/faults/', 'honeybadger-io/cli cmd/faults.go'],
    (req) => {
      used++;
      const limits = {
        'x-ratelimit-limit': String(hourlyLimit),
        'x-ratelimit-remaining': String(Math.max(0, hourlyLimit - used)),
        'x-ratelimit-reset': String(resetAt),
      };
      if (used > hourlyLimit) return refuse(403, 'Rate limit exceeded', limits);
      const basic = /^Basic (\S+)$/.exec(req.headers['authorization'] ?? '');
      const [user, password] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':') : [];
      const projects = user !== undefined && password === '' ? tokens[user] : undefined;
      if (!projects) return refuse(401, 'Unauthorized', limits);
      if (req.method === 'GET' && req.path === '/v2/projects')
        return { status: 200, headers: limits, body: fixture('honeybadger-api', 'projects-list-200.json') };
      const match = /^\/v2\/projects\/([^/]+)\/faults\/([^/?]+)$/.exec(req.path);
      if (!match) return refuse(404, 'Not found', limits);
      const [projectId, faultId] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
      if (!projects.includes(projectId) || !faults.includes(`${projectId}/${faultId}`)) return refuse(404, 'Not found', limits);
      if (req.method === 'GET') return { status: 200, headers: limits, body: fixture('honeybadger-api', 'fault-details-200.json') };
      if (req.method !== 'PUT') return refuse(405, 'Method not allowed', limits);
      const body = req.body as Record<string, unknown>;
      if (extraKeys(body, ['fault']).length > 0) return refuse(422, 'the body is {"fault": {...}}', limits);
      const fault = body['fault'] as Record<string, unknown>;
      const extra = extraKeys(fault, ['resolved', 'ignored', 'resolve_on_deploy', 'assignee_id']);
      if (extra.length > 0) return refuse(422, `undocumented fields: ${extra.join(', ')}`, limits);
      for (const key of ['resolved', 'ignored', 'resolve_on_deploy']) {
        if (fault[key] !== undefined && typeof fault[key] !== 'boolean') return refuse(422, `${key} must be true or false`, limits);
      }
      if (fault['assignee_id'] !== undefined && fault['assignee_id'] !== null && !isInt(fault['assignee_id']))
        return refuse(422, 'assignee_id must be a user id', limits);
      return { status: 204, headers: limits };
    },
  );
}
