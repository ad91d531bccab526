import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../../main/core/providers/index';
import { ROOT } from '../../../helpers/paths';

const doc = readFileSync(join(ROOT, 'docs/providers.md'), 'utf8');

describe('docs/providers.md', () => {
  it.each(PROVIDERS.map((p) => [p.name, p] as const))('lists %s with its documentation link and every setup step', (_name, provider) => {
    expect(doc).toContain(`## ${provider.name}`);
    expect(doc).toContain(provider.docsUrl);
    for (const step of provider.setupSteps) expect(doc).toContain(step);
    if (provider.securityNote) expect(doc).toContain(provider.securityNote);
  });
});
