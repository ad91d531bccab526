/**
 * A refused signature says what was compared (which fields, which algorithm) and never the secret, nor how the check
 * works inside: each provider's own correctly signed sample, with its signature spoiled, through its own `verify`.
 * A source still without its secret says so in words that hold in every front end (headless mode has no Setup).
 */
import { describe, expect, it } from 'vitest';
import { getProvider, PROVIDERS } from '../../../../main/core/providers/index';
import type { ProviderId } from '../../../../shared/events';
import type { SourceInput } from '../../../../shared/settings';
import { makeSource, rawHook } from '../../../helpers/saas-fixtures';

const NOW = Date.parse('2026-11-24T02:00:00Z');
const SECRET = 'not-to-be-shown-0123456789abcdef';
const WHSEC = `whsec_${Buffer.from(SECRET).toString('base64')}`;
const MAPPING = { titlePath: 'title', groupKeyPath: 'id' };

/** Words about how the check works inside (digests, constant time, fallbacks), which a sender has no use for. */
const INTERNAL = /constant[- ]time|digest|SHA-256 |as one pair|compact JSON|as sent, then/i;

const cases: Array<{ provider: ProviderId; source: Partial<SourceInput>; header: string; says: RegExp }> = [
  {
    provider: 'backtrace',
    source: { credentials: { username: 'crashbell', password: SECRET } },
    header: 'authorization',
    says: /wrong Basic credentials: the username and password of the Authorization header are not this source's/,
  },
  {
    provider: 'errorception',
    source: { credentials: { secret: SECRET } },
    header: 'x-signature',
    says: /hex SHA-1 of this source's secret key followed by the body's "message" and "page" fields \(received \d+ characters; a hex SHA-1 has 40\)/,
  },
  {
    provider: 'sentry',
    source: { credentials: { clientSecret: SECRET } },
    header: 'sentry-hook-signature',
    says: /is not the hex HMAC-SHA256 of the body keyed with this source's integration's Client Secret/,
  },
  {
    provider: 'generic',
    source: {
      credentials: { secret: SECRET },
      config: {
        ...MAPPING,
        verification: 'hmac',
        signatureHeader: 'x-hub-signature-256',
        signaturePrefix: 'sha256=',
        signatureEncoding: 'hex',
      },
    },
    header: 'x-hub-signature-256',
    says: /after the prefix "sha256=" was compared with the hex HMAC-SHA256 of the body as sent, keyed with this source's secret \(received \d+ characters; expected 64\)/,
  },
  {
    provider: 'generic',
    source: { credentials: { secret: WHSEC }, config: { ...MAPPING, verification: 'standard-webhooks' } },
    header: 'webhook-signature',
    says: /base64 HMAC-SHA256 of "webhook-id\.webhook-timestamp\.body" keyed with the whsec_ secret/,
  },
];

describe('a refused signature says what was compared, not the secret', () => {
  for (const c of cases) {
    it(`${c.provider} (${c.header})`, () => {
      const provider = getProvider(c.provider)!;
      const source = makeSource(c.provider, c.source);
      const sample = provider.sample(source, NOW);
      const good = rawHook(source, sample.body, sample.headers, NOW);
      expect(provider.verify(good)).toBeNull();

      const given = sample.headers[c.header]!;
      const spoiled =
        c.header === 'authorization' ? `Basic ${Buffer.from('crashbell:guess').toString('base64')}` : `${given.slice(0, -4)}AAAA`;
      const refusal = provider.verify(rawHook(source, sample.body, { ...sample.headers, [c.header]: spoiled }, NOW));
      expect(refusal?.status).toBe(401);
      expect(refusal?.reason).toMatch(c.says);
      expect(refusal?.reason).not.toContain(SECRET);
      // What the scheme is, yes; how Crashbell checks it inside, no.
      expect(refusal?.reason).not.toMatch(INTERNAL);
      expect(refusal?.reason).not.toContain(Buffer.from(SECRET).toString('base64'));
    });
  }
});

describe('a source without its credentials says so, for every front end', () => {
  for (const provider of PROVIDERS) {
    it(`${provider.id}`, () => {
      const full = makeSource(
        provider.id,
        provider.id === 'generic'
          ? {
              credentials: { secret: SECRET },
              config: { ...MAPPING, verification: 'hmac', signatureHeader: 'x-sig', signatureEncoding: 'hex' },
            }
          : { credentials: { ...provider.generateCredentials(), secret: SECRET, clientSecret: SECRET, token: SECRET } },
      );
      const sample = provider.sample(full, NOW);
      // Every credential blank, as a hand-written config file may have them: not set, so nothing is let through.
      const blank = { ...full, credentials: Object.fromEntries(Object.keys(full.credentials).map((k) => [k, '  '])) };
      const refusals = [
        provider.verifyHeaders?.(rawHook(blank, sample.body, sample.headers, NOW).source, sample.headers),
        provider.verify(rawHook(blank, sample.body, sample.headers, NOW)),
      ];
      for (const refusal of refusals) {
        if (!refusal) continue;
        expect(refusal.status).toBe(401);
        expect(refusal.reason).not.toContain('Setup');
        expect(refusal.reason).not.toMatch(INTERNAL);
      }
      // One that needs a credential refuses (a generic source set to verify HMAC needs its secret); one whose URL is
      // the secret (Honeybadger without its optional tokens) has nothing the blanks could prove.
      if (provider.credentials.some((c) => c.required) || provider.id === 'generic') expect(refusals[1]?.status).toBe(401);
    });
  }
});
