/** The relay's id file in the data folder: kept across starts, and never read or written through a link. */
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTANCE_ID_FILE, instanceId } from '../../../../main/core/relay/instance-id';
import { tmpDataDir } from '../../../helpers/tmp-dir';

describe('instanceId', () => {
  it('is made once, kept in the data folder (0600) and the same on every call', () => {
    const dir = tmpDataDir();
    const id = instanceId(dir);
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(readFileSync(join(dir, INSTANCE_ID_FILE), 'utf8')).toBe(`${id}\n`);
    expect(statSync(join(dir, INSTANCE_ID_FILE)).mode & 0o777).toBe(0o600);
    expect(instanceId(dir)).toBe(id);
  });

  it('a file holding no id is replaced by a fresh one', () => {
    const dir = tmpDataDir();
    writeFileSync(join(dir, INSTANCE_ID_FILE), 'not an id!\n');
    const id = instanceId(dir);
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(readFileSync(join(dir, INSTANCE_ID_FILE), 'utf8')).toBe(`${id}\n`);
  });

  it.skipIf(process.platform === 'win32')('a relay-id planted as a link is refused, and the file it points to is untouched', () => {
    const dir = tmpDataDir();
    const target = join(tmpDataDir(), 'precious');
    writeFileSync(target, 'do not touch\n');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, INSTANCE_ID_FILE));
    // Today's code read through the link, found no id there and wrote a new one over the target.
    expect(() => instanceId(dir)).toThrow(`${join(dir, INSTANCE_ID_FILE)} is a symbolic link`);
    expect(readFileSync(target, 'utf8')).toBe('do not touch\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });
});
