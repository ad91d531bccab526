import { describe, expect, it } from 'vitest';
import { compactCount, maskSecret, plural, prettyBody, relativeTime, statusTone, tunnelSummary } from '../../../../renderer/src/lib/format';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');

describe('relativeTime', () => {
  it('reads as a person would say it', () => {
    expect(relativeTime('2026-03-10T11:59:50.000Z', NOW)).toBe('just now');
    expect(relativeTime('2026-03-10T11:55:00.000Z', NOW)).toBe('5 min ago');
    expect(relativeTime('2026-03-10T09:00:00.000Z', NOW)).toBe('3 h ago');
    expect(relativeTime('2026-03-08T12:00:00.000Z', NOW)).toBe('2 d ago');
    expect(relativeTime(null, NOW)).toBe('never');
    expect(relativeTime('garbage', NOW)).toBe('unknown');
    // Clock skew between provider and machine must not say "in the future".
    expect(relativeTime('2026-03-10T12:05:00.000Z', NOW)).toBe('just now');
  });
});

describe('counts', () => {
  it('pluralizes and compacts', () => {
    expect(plural(1, 'host')).toBe('1 host');
    expect(plural(1234, 'occurrence')).toBe('1,234 occurrences');
    expect(compactCount(999)).toBe('999');
    expect(compactCount(1200)).toBe('1.2k');
    expect(compactCount(34_000)).toBe('34k');
    expect(compactCount(1_200_000)).toBe('1.2M');
  });
});

describe('prettyBody', () => {
  it('indents JSON and leaves anything else as it came', () => {
    expect(prettyBody('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyBody('<b>not json</b>')).toBe('<b>not json</b>');
    expect(prettyBody('   ')).toBe('');
  });
});

describe('tunnelSummary and status tones', () => {
  it('puts every tunnel state in words', () => {
    expect(tunnelSummary({ status: 'online', url: 'https://a.ngrok.app' })).toMatchObject({ label: 'Online', tone: 'ok' });
    expect(tunnelSummary({ status: 'connecting', attempt: 3 })).toMatchObject({ detail: 'attempt 3', tone: 'busy' });
    const err = tunnelSummary({ status: 'error', reason: 'the authtoken was refused', code: 'ERR_NGROK_105', retryAt: null });
    expect(err.tone).toBe('bad');
    expect(err.detail).toContain('ERR_NGROK_105');
  });

  it('never calls a tunnel the user switched on "Off": it waits for an authtoken, or starts', () => {
    const off = { status: 'off' as const, reason: 'No ngrok authtoken: providers on the internet cannot reach Crashbell' };
    expect(tunnelSummary(off, { enabled: true, hasAuthtoken: false })).toMatchObject({
      label: 'Needs an authtoken',
      tone: 'busy',
      detail: off.reason,
    });
    expect(tunnelSummary(off, { enabled: true, hasAuthtoken: true })).toMatchObject({ label: 'Starting…', tone: 'busy' });
    expect(tunnelSummary(off, { enabled: false, hasAuthtoken: true })).toMatchObject({ label: 'Off', tone: 'off' });
    expect(tunnelSummary(off)).toMatchObject({ label: 'Off' });
  });

  it('colours HTTP statuses', () => {
    expect(statusTone(200)).toBe('ok');
    expect(statusTone(401)).toBe('warn');
    expect(statusTone(503)).toBe('bad');
  });

  it('masks without telling the secret', () => {
    expect(maskSecret('abcdef')).toBe('••••••');
    expect(maskSecret('x'.repeat(40))).toHaveLength(16);
    expect(maskSecret('')).toBe('(empty)');
  });
});
