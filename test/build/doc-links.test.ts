/**
 * The README and docs/ link only to files that exist in this repository (a clone has nothing beside it), and
 * the README links nowhere outside it. docs/providers.md cites each provider's own webhook documentation,
 * which its steps follow.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const documents = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown links `[text](target)` and autolinks `<https://...>`, outside fenced code. */
function linksOf(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '');
  const inline = [...prose.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  const auto = [...prose.matchAll(/<((?:https?|mailto):[^>\s]+)>/g)].map((m) => m[1]!);
  return [...inline, ...auto];
}

/** Paths written in backticks that climb out of the folder (`../x`): a reader would look for them beside the clone. */
function climbingPaths(text: string): string[] {
  return [...text.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1]!);
}

describe.each(documents)('%s', (doc) => {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const here = dirname(join(ROOT, doc));

  it('links to files that exist inside the repository', () => {
    for (const link of linksOf(text)) {
      if (/^(https?|mailto):/.test(link) || link.startsWith('#')) continue;
      const target = resolve(here, decodeURIComponent(link.split('#')[0]!));
      expect(relative(ROOT, target).startsWith('..'), `${link} leaves the repository`).toBe(false);
      expect(existsSync(target), `${link} does not exist`).toBe(true);
    }
  });

  it('names no path outside the repository', () => {
    for (const path of climbingPaths(text)) {
      expect(relative(ROOT, resolve(here, path)).startsWith('..'), `${path} leaves the repository`).toBe(false);
    }
  });
});

describe('README.md', () => {
  it('has no links to the web (everything it points at ships with the clone)', () => {
    const external = linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((l) => /^(https?|mailto):/.test(l));
    expect(external).toEqual([]);
  });
});
