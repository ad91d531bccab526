import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; permissions?: Record<string, string>; strategy: { matrix: { os: string[] } }; steps: Step[] }>;
}

const root = ROOT;
const workflow = parse(readFileSync(join(root, '.github/workflows/release.yml'), 'utf8')) as Workflow;

describe('release workflow', () => {
  const job = workflow.jobs['dist']!;
  const runs = job.steps.map((s) => s.run ?? '').join('\n');

  it('builds installers on Linux, macOS and Windows with npm ci and npm run dist', () => {
    expect(job.strategy.matrix.os).toEqual(['ubuntu-latest', 'macos-latest', 'windows-latest']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    expect(runs).toMatch(/^npm ci$/m);
    expect(runs).toMatch(/^npm run dist -- --publish /m);
  });

  it('publishes the installers with the update metadata on a tag only, to a draft, with write access for that job alone', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(runs).toContain("npm run dist -- --publish ${{ github.ref_type == 'tag' && 'always' || 'never' }}");
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(job.permissions).toEqual({ contents: 'write' });
    const check = job.steps.find((s) => s.run?.includes('latest-linux.yml'));
    expect(check?.run).toContain('latest-mac.yml');
    expect(check?.run).toMatch(/Windows\) meta=latest\.yml/);
    expect(check?.run).toContain("grep -q '^sha512: '");
    const order = job.steps.map((s) => s.name ?? s.uses ?? '');
    expect(order.indexOf('Check the update metadata installed copies read')).toBeGreaterThan(
      order.findIndex((n) => n.startsWith('Build installers')),
    );
  });

  it('launches the packaged Linux app under Xvfb and checks that it answers', () => {
    const smoke = job.steps.find((s) => s.run?.includes('xvfb-run'));
    expect(smoke?.if).toBe("runner.os == 'Linux'");
    expect(smoke?.run).toContain('dist/*.AppImage');
    expect(smoke?.run).toContain('grep -qx 404 status.txt');
    // The renderer loaded from app://, not just the receiver answering.
    expect(smoke?.run).toContain("grep -q 'window: renderer loaded app://crashbell/index.html' smoke.log");
  });

  it('builds on the Node the Electron 45 toolchain needs (22.12 or later)', () => {
    const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node'));
    const version = Number(setup?.with?.['node-version']);
    expect(version).toBeGreaterThanOrEqual(22);
  });

  it('uploads every installer kind', () => {
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload).toBeDefined();
    const text = readFileSync(join(root, '.github/workflows/release.yml'), 'utf8');
    for (const ext of ['AppImage', 'deb', 'dmg', 'zip', 'exe', 'blockmap']) expect(text).toContain(`dist/*.${ext}`);
    expect(text).toContain('dist/latest*.yml');
  });
});
