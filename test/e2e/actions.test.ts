/**
 * Acting on a crash from the window, end to end in real Chromium: the built renderer over the real engine (the
 * same `startEngine` as the app), a Rollbar source whose API URL points at a local fake of Rollbar's documented API
 * (test/helpers/provider-api-fakes.ts). Setup's API token editor saves and tests a token; the detail view's actions
 * go to Rollbar and show their state: pending (the fake holds the answer), failed (offline, then a 403 in
 * Rollbar's words, changing nothing) and done; Snooze ▾ by keyboard; a claim; the list's R. Screenshots of each
 * state, light and dark, go to test-results/screenshots/actions-*.png, and axe-core audits each: no violation at all.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRequest } from '../../main/core/http-post';
import { type AxeFinding, auditPage, findingLines } from '../helpers/axe';
import { buildRenderer, chromiumAvailable, connectPage, launchChromium, removeDir, serveDir } from '../helpers/browser';
import { FIXTURES, ROOT } from '../helpers/paths';
import { type ProviderApiFake, rollbarApiFake } from '../helpers/provider-api-fakes';
import { type Stack, startStack } from '../helpers/stack';

const SHOTS = resolve(ROOT, 'test-results/screenshots');
const TOKEN = 'rollbar-e2e-token-0123456789abcdef';
const ITEM = '272716944';

describe.skipIf(!chromiumAvailable())('acting on a crash from the window, in Chromium', () => {
  let stack: Stack;
  let fake: ProviderApiFake;
  let browser: Browser;
  let page: Page;
  let outDir: string;
  let server: { url: string; close: () => Promise<void> };
  let groupId = '';
  const pageErrors: string[] = [];
  const audits: Array<{ view: string; findings: AxeFinding[] }> = [];

  /** Screenshots `what` (the page, or one part of it) in light and dark, and audits the page with axe-core each time. */
  async function shoot(name: string, what: Page | Locator = page): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await what.screenshot({ path: join(SHOTS, `actions-${name}-${scheme}.png`) });
      audits.push({ view: `actions-${name}-${scheme}`, findings: await auditPage(page) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  function rollbarSource() {
    return stack.settings.get().sources.find((s) => s.provider === 'rollbar')!;
  }

  function detail(): Locator {
    return page.getByRole('article', { name: /testing aobg98wrwe/ });
  }

  function actionRow(): Locator {
    return detail().getByRole('group', { name: 'Act on this error (Rollbar)' });
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fake = await rollbarApiFake({ [TOKEN]: ['read', 'write'] }, [ITEM]).start();
    stack = await startStack({ onboarded: true, relay: { member: 'ana' } });
    outDir = await buildRenderer();
    server = await serveDir(outDir);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1200, height: 820 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/frame-ancestors/.test(m.text()) && !/Failed to load resource/.test(m.text())) {
        pageErrors.push(`console: ${m.text()}`);
      }
    });
    page.setDefaultTimeout(8_000);
    await connectPage(page, stack.service, server.url);
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) removeDir(outDir);
    await stack?.close();
    await fake?.close();
  });

  it('adds a Rollbar source, saves its API token and URL, and Test token reads Rollbar with it', async () => {
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: /^Setup/ })
      .click();
    await page.getByRole('combobox', { name: 'Provider', exact: true }).selectOption('rollbar');
    await page.getByLabel('Name', { exact: true }).fill('Shop');
    await page.getByRole('button', { name: 'Add source' }).click();
    const card = page.getByRole('article', { name: 'Shop (Rollbar)' });
    await card
      .locator('summary')
      .filter({ hasText: /^API token$/ })
      .click();
    const token = card.getByLabel(/^API token/);
    expect(await token.getAttribute('type')).toBe('password');
    await token.fill(TOKEN);
    await card.getByLabel(/^API URL/).fill(fake.url);
    await card.getByLabel(/^Assign to me as/).fill('7');
    await card.getByRole('button', { name: 'Save API settings' }).click();
    await card.getByRole('status').filter({ hasText: 'API settings saved.' }).waitFor();
    await card.locator('summary').filter({ hasText: 'API token (set)' }).waitFor();
    expect(await token.inputValue()).toBe('');
    expect(await token.getAttribute('placeholder')).toBe('Saved — paste a new one to replace it');
    expect(rollbarSource().api).toMatchObject({ token: TOKEN, url: fake.url, assignee: '7', resolveInProvider: true });
    // The token is never sent back to the window.
    expect(JSON.stringify(await stack.service.getState())).not.toContain(TOKEN);
    expect(await page.content()).not.toContain(TOKEN);

    await card.getByRole('button', { name: 'Test token' }).click();
    await card
      .getByRole('status')
      .filter({ hasText: /Rollbar/ })
      .filter({ hasNotText: 'saved' })
      .waitFor();
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/1/items/', headers: { 'x-rollbar-access-token': TOKEN } });
    await card.scrollIntoViewIfNeeded();
    await shoot('setup-api-token', card);
  });

  it('says why a provider without a write API keeps actions in Crashbell', async () => {
    await stack.service.addSource({ provider: 'errorception', name: 'Site', credentials: {} });
    const card = page.getByRole('article', { name: 'Site (Errorception)' });
    await card
      .getByRole('note')
      .filter({ hasText: /^Errorception: actions stay in Crashbell because Errorception has no API/ })
      .waitFor();
  });

  it('shows a Rollbar hook with its actions, each going to Rollbar', async () => {
    const body = readFileSync(join(FIXTURES, 'rollbar', 'new-item.json'), 'utf8');
    const res = await postRequest(`${stack.core.localBaseUrl}/hooks/${rollbarSource().id}`, {
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    groupId = stack.inbox.list({}).groups[0]!.id;
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: /^Recent errors/ })
      .click();
    await page.getByRole('listbox', { name: 'Recent errors' }).getByRole('option').filter({ hasText: 'testing aobg98wrwe' }).click();
    await actionRow().waitFor();
    expect(await actionRow().getByRole('button').allTextContents()).toEqual(['Resolve', 'Snooze ▾', 'Ignore', 'Assign to me', 'Claim']);
  });

  it('pending: says "Resolving in Rollbar…" while Rollbar has not answered; offline: fails in words, changing nothing', async () => {
    fake.answerNext({ hang: true });
    await actionRow().getByRole('button', { name: 'Resolve' }).click();
    await detail().getByRole('status').filter({ hasText: 'Resolving in Rollbar…' }).waitFor();
    expect(await actionRow().getByRole('button', { name: 'Resolve' }).getAttribute('aria-disabled')).toBe('true');
    expect((await stack.service.getGroup(groupId))?.action).toMatchObject({ action: 'resolve', state: 'pending' });
    await shoot('detail-pending');

    // Rollbar goes away mid-request: the retries find nothing there, and the action fails.
    await fake.close();
    const offline = detail().getByRole('alert').filter({ hasText: 'Nothing was changed.' });
    await offline.waitFor({ timeout: 30_000 });
    expect(stack.core.group(groupId)?.resolved).toBe(false);
    await fake.start();
    await stack.service.updateSource(rollbarSource().id, { api: { url: fake.url } });
  });

  it('failed: a 403 says Rollbar’s words and the scope, and changes nothing', async () => {
    fake.answerNext({ status: 403, body: { err: 1, message: 'access token does not have the write scope' } });
    await actionRow().getByRole('button', { name: 'Ignore' }).click();
    const alert = detail()
      .getByRole('alert')
      .filter({ hasText: /Rollbar refused the token \(403\)/ });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/write scope.*Nothing was changed\.$/);
    expect(stack.core.group(groupId)?.ignored ?? false).toBe(false);
    await shoot('detail-failed');
  });

  it('done: resolves in Rollbar, shows it, and Reopen takes the focus Resolve had', async () => {
    const resolve = actionRow().getByRole('button', { name: 'Resolve' });
    await resolve.focus();
    await page.keyboard.press('Enter');
    await detail().getByRole('status').filter({ hasText: 'Resolved in Rollbar' }).waitFor();
    await detail().locator('.chip-resolved').filter({ hasText: 'Resolved' }).waitFor();
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', path: `/api/1/item/${ITEM}`, body: { status: 'resolved' } });
    const reopen = actionRow().getByRole('button', { name: 'Reopen' });
    await reopen.waitFor();
    expect(await reopen.evaluate((el) => el === document.activeElement)).toBe(true);
    await shoot('detail-done');
    await page.keyboard.press('Enter');
    await detail().getByRole('status').filter({ hasText: 'Reopened in Rollbar' }).waitFor();
    expect(fake.requests.at(-1)?.body).toEqual({ status: 'active' });
  });

  it('Snooze ▾ works from the keyboard: arrows, Escape returns focus, Enter snoozes', async () => {
    const snooze = actionRow().getByRole('button', { name: 'Snooze' });
    await snooze.focus();
    await page.keyboard.press('ArrowDown');
    const menu = page.getByRole('menu', { name: 'Snooze' });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(['For 1 hour', 'For 8 hours', 'For 24 hours']);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('For 8 hours');
    await shoot('detail-snooze-menu');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await snooze.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await detail().getByRole('status').filter({ hasText: 'Snoozed for 1 hour in Rollbar' }).waitFor();
    await detail()
      .locator('.chip-snoozed')
      .filter({ hasText: /^Snoozed until / })
      .waitFor();
    expect(fake.requests.at(-1)?.body).toEqual({ snooze_enabled: true, snooze_expiration_in_seconds: 3600 });
    expect(await snooze.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('claims for the team (here only), and assigns to "me" in Rollbar', async () => {
    await actionRow().getByRole('button', { name: 'Claim' }).click();
    await detail()
      .locator('.chip-claimed')
      .filter({ hasText: /^ana is on it until / })
      .waitFor();
    await actionRow().getByRole('button', { name: 'Release claim' }).waitFor();
    await actionRow().getByRole('button', { name: 'Assign to me' }).click();
    await detail().getByRole('status').filter({ hasText: 'Assigned to you in Rollbar' }).waitFor();
    expect(fake.requests.at(-1)?.body).toEqual({ assigned_user_id: 7 });
    await detail().getByText('Assigned to 7').waitFor();
    // Snoozed, claimed and assigned at once: the chips' colours are audited in both schemes too.
    await shoot('detail-chips');
  });

  it('the list’s R resolves through the same action, in Rollbar', async () => {
    await detail().getByRole('button', { name: 'Back', exact: true }).click();
    const list = page.getByRole('listbox', { name: 'Recent errors' });
    await list.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('r');
    await page.getByRole('status').filter({ hasText: 'Resolved in Rollbar: testing aobg98wrwe' }).waitFor();
    await list.getByRole('option', { selected: true }).locator('.chip-resolved').waitFor();
    expect(stack.core.group(groupId)?.resolved).toBe(true);
  });

  it('has no accessibility violation at all in these views, light or dark (axe-core), and no page error', () => {
    const lines = audits.flatMap((a) => findingLines(a.view, a.findings));
    appendFileSync(
      resolve(ROOT, 'test-results/e2e-axe.txt'),
      `${[`${new Date().toISOString()} axe-core over ${audits.length} action views: ${lines.length === 0 ? 'no violation' : `${lines.length} violations`}`, ...lines].join('\n')}\n`,
    );
    expect(audits.length).toBe(12);
    expect(lines).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
