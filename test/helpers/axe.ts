/**
 * Accessibility audits for the e2e run: axe-core's own script put into the page over the DevTools protocol
 * (`page.evaluate`, which the page's Content-Security-Policy does not govern, so the CSP under test stays as
 * the app ships it), then `axe.run` over the whole document. `@axe-core/playwright` would do the same but
 * asks for Node 22.12 or later; axe-core itself runs anywhere.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ImpactValue, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

/** One rule broken on one page, with where (CSS selectors) and axe's summary of what is wrong. */
export interface AxeFinding {
  id: string;
  impact: ImpactValue | null;
  help: string;
  nodes: Array<{ target: string; summary: string }>;
}

/** The impacts the suite refuses. */
export const BLOCKING_IMPACTS: readonly ImpactValue[] = ['serious', 'critical'];

/**
 * Runs axe-core over what the page shows now (every rule axe runs by default: WCAG 2.x A and AA and its best
 * practices) and answers its violations.
 */
export async function auditPage(page: Page): Promise<AxeFinding[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: Result[] }> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
    }));
  });
  return violations;
}

/** Findings as lines for a report: one per rule and view, with the first few places. */
export function findingLines(view: string, findings: readonly AxeFinding[]): string[] {
  return findings.map((f) => {
    const where = f.nodes
      .slice(0, 3)
      .map((n) => n.target)
      .join(', ');
    const more = f.nodes.length > 3 ? ` and ${f.nodes.length - 3} more` : '';
    return `${view}: [${f.impact ?? 'unknown'}] ${f.id} (${f.help}) at ${where}${more}`;
  });
}
