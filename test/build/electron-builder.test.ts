import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UPDATE_FEED } from '../../main/update-feed';
import { ROOT } from '../helpers/paths';

const root = ROOT;
// biome-ignore lint/suspicious/noExplicitAny: a YAML document read for assertions
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const schema = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as Record<string, unknown>;

/** PNG width and height from the IHDR chunk. */
function pngSize(path: string): [number, number] {
  const buf = readFileSync(path);
  expect(buf.subarray(1, 4).toString('ascii')).toBe('PNG');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s own JSON schema (draft-07)', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    // Ajv's default class speaks draft-07; the schema uses a few annotation keywords ajv does not know.
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check is real: a wrong key is refused', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    expect(validate({ ...config, linux: { ...config.linux, targets: ['deb'] } })).toBe(false);
  });

  it('builds AppImage + deb, dmg (and the zip macOS updates from) and nsis, unpacks the native ngrok module, and sets up notifications', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual([{ target: 'dmg' }, { target: 'zip' }]);
    expect(config.win.target).toEqual([{ target: 'nsis' }]);
    expect(config.asarUnpack).toContain('node_modules/@ngrok/**');
    expect(config.deb.depends).toContain('libnotify4');
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.mac.category).toBe('public.app-category.developer-tools');
  });

  it('publishes to the GitHub repository the app updates from, as a draft, over HTTPS', () => {
    expect(config.publish).toEqual({ provider: 'github', owner: UPDATE_FEED.owner, repo: UPDATE_FEED.repo, releaseType: 'draft' });
    expect(config.publish.protocol ?? 'https').toBe('https');
    // GitHub renames an uploaded file whose name has spaces; latest.yml must name it as uploaded.
    for (const name of [config.appImage.artifactName, config.nsis.artifactName]) expect(name).not.toMatch(/\s/);
  });

  it('has every icon it names, in the sizes the platforms need', () => {
    expect(pngSize(join(root, config.icon))).toEqual([1024, 1024]);
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(join(root, config.linux.icon, `${size}x${size}.png`))).toEqual([size, size]);
    }
    for (const state of ['listening', 'down', 'unread', 'dnd']) {
      expect(pngSize(join(root, 'build/tray', `${state}.png`))).toEqual([16, 16]);
      expect(pngSize(join(root, 'build/tray', `${state}@2x.png`))).toEqual([32, 32]);
      expect(pngSize(join(root, 'build/tray', `linux-${state}.png`))).toEqual([32, 32]);
    }
    for (const extra of config.extraResources as Array<{ from: string }>) expect(existsSync(join(root, extra.from))).toBe(true);
  });

  it('locks the binary down with fuses (checked in the packed wire by package-smoke.test.ts)', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('package.json has the dist script that uses this file', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['dist']).toContain('electron-builder --config electron-builder.yml');
  });
});
