import { describe, expect, it } from 'vitest';
import { CREATED_SPREAD_MS, sameStream, streamKey } from '../../../../main/core/relay/stream';

const key = (name: string, created: string) => streamKey({ config: { name }, created } as Parameters<typeof streamKey>[0]);

describe("a stream's identity", () => {
  it('is its name and creation time', () => {
    expect(key('CRASHBELL', '2026-12-07T04:13:28.134974651Z')).toBe('CRASHBELL@2026-12-07T04:13:28.134974651Z');
  });

  it("is the same stream whichever node of a cluster dated it (nats-server 2.9's replicas each date it)", () => {
    // The two creation times one stream showed in the three-node cluster test, before and after a failover.
    expect(sameStream(key('CRASHBELL', '2026-12-07T04:13:28.152888035Z'), key('CRASHBELL', '2026-12-07T04:13:28.134974651Z'))).toBe(true);
    const at = Date.parse('2026-12-07T04:13:28.000Z');
    const later = (ms: number) => key('CRASHBELL', new Date(at + ms).toISOString());
    expect(sameStream(later(0), later(CREATED_SPREAD_MS))).toBe(true);
  });

  it('is another stream when made anew later, or under another name', () => {
    const at = Date.parse('2026-12-07T04:13:28.000Z');
    const later = (ms: number, name = 'CRASHBELL') => key(name, new Date(at + ms).toISOString());
    expect(sameStream(later(0), later(CREATED_SPREAD_MS + 1))).toBe(false);
    expect(sameStream(later(0), later(0, 'TEAM'))).toBe(false);
    expect(sameStream(later(0), 'CRASHBELL')).toBe(false);
    expect(sameStream(later(0), 'CRASHBELL@not a time')).toBe(false);
  });
});
