/**
 * The window end to end in real Chromium: the built renderer served on loopback, the preload api emulated
 * over the real receiver, inbox and app service in this process, so a real HTTP POST to the receiver shows up
 * in the page. Screenshots of every view, light and dark, go to test-results/screenshots/.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../shared/events';
import type { SourceView } from '../../shared/ipc';
import { postRequest } from '../../main/core/http-post';
import { backtraceProvider } from '../../main/core/providers/backtrace';
import { blankEvent } from '../../main/core/providers/parsed-event';
import { auditPage, BLOCKING_IMPACTS, findingLines, type AxeFinding } from '../helpers/axe';
import { buildRenderer, CHROMIUM_PATH, chromiumAvailable, connectPage, launchChromium, removeDir, serveDir } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { ScriptedUpdater } from '../helpers/scripted-updater';
import { UpdateController } from '../../main/updater';
import { ROOT, FIXTURES } from '../helpers/paths';

const HAVE_CHROMIUM = chromiumAvailable();
const IN_CI = process.env['CI'] === 'true';
const SHOTS = resolve(ROOT, 'test-results/screenshots');

if (!HAVE_CHROMIUM) {
  console.warn(
    `[e2e] Chromium not found at ${CHROMIUM_PATH}: the renderer's end-to-end tests are ${IN_CI ? 'FAILING (CI=true requires them)' : 'SKIPPED'}. ` +
      'Install Debian\'s "chromium" package or set CHROMIUM_PATH.',
  );
}

describe.runIf(!HAVE_CHROMIUM && IN_CI)('e2e prerequisites under CI', () => {
  it('needs Chromium', () => {
    expect.fail(`CI=true but Chromium is missing at ${CHROMIUM_PATH}: .ci/run must install Debian's chromium package`);
  });
});

function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe.skipIf(!HAVE_CHROMIUM)('the Crashbell window in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let outDir: string;
  let server: { url: string; close: () => Promise<void> };
  let pushes: { setPushing: (on: boolean) => void };
  /** The app's updates as main has them, over a stand-in for electron-updater that finds version 1.2.0. */
  const updater = new ScriptedUpdater();
  const updates = new UpdateController({
    feed: { provider: 'generic', url: 'https://127.0.0.1/updates/' },
    load: async () => ({ updater }),
    enabled: true,
  });
  const pageErrors: string[] = [];
  /** What axe-core found in each view and scheme that {@link shoot} saw. */
  const audits: Array<{ view: string; findings: AxeFinding[] }> = [];

  /** Screenshots the view in light and dark, and audits each with axe-core. */
  async function shoot(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
      audits.push({ view: `${name}-${scheme}`, findings: await auditPage(page) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  /** Rows of the error list (select menus have options too). */
  function rows() {
    return page.getByRole('listbox', { name: 'Recent errors' }).getByRole('option');
  }

  async function go(view: 'Recent errors' | 'Setup' | 'Inspector' | 'Settings'): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: new RegExp(`^${view}`) })
      .click();
  }

  /**
   * Mounts the list afresh and times it in the page, with `performance.now`: from its `listGroups` call (the
   * harness marks every call and its answer) to the frame after its first rows reached the DOM, that is once
   * they are painted; and how much of that the answer took to arrive.
   */
  async function timeFirstRows(): Promise<{ total: number; answer: number }> {
    await go('Setup');
    await page.getByRole('listbox', { name: 'Recent errors' }).waitFor({ state: 'detached' });
    await page.evaluate(() => {
      const since = performance.now();
      const w = window as unknown as { __firstRows?: Promise<{ total: number; answer: number }> };
      w.__firstRows = new Promise((resolve, reject) => {
        let seen = false;
        const observer = new MutationObserver(() => {
          if (seen || !document.querySelector('[role="listbox"][aria-label="Recent errors"] [role="option"]')) return;
          seen = true;
          observer.disconnect();
          // A rAF callback runs before its frame is painted; a message posted from it is handled after.
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              const painted = performance.now();
              const call = performance.getEntriesByName('crashbell:listGroups', 'mark').find((m) => m.startTime >= since);
              const answered = performance.getEntriesByName('crashbell:listGroups:answered', 'mark').find((m) => m.startTime >= since);
              if (call && answered) resolve({ total: painted - call.startTime, answer: answered.startTime - call.startTime });
              else reject(new Error('the rows were drawn without a listGroups call'));
            };
            channel.port2.postMessage(null);
          });
        });
        observer.observe(document.body, { childList: true, subtree: true });
      });
    });
    await go('Recent errors');
    return page.evaluate(() => (window as unknown as { __firstRows: Promise<{ total: number; answer: number }> }).__firstRows);
  }

  function backtraceSource(): SourceView {
    const s = stack.settings.get().sources.find((x) => x.provider === 'backtrace');
    if (!s) throw new Error('no Backtrace source yet');
    return s as SourceView;
  }

  async function postBacktrace(body: string): Promise<number> {
    const s = backtraceSource();
    const res = await postRequest(`${stack.core.localBaseUrl}/hooks/${s.id}`, {
      headers: { 'content-type': 'application/json', authorization: basic(s.credentials['username']!, s.credentials['password']!) },
      body,
    });
    return res.status;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ onboarded: false, retention: { maxGroups: 6000, maxDays: 90 } });
    outDir = await buildRenderer();
    server = await serveDir(outDir);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1200, height: 780 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // Chromium notes that frame-ancestors is ignored in a <meta> CSP; the shell also sends it as a header.
      if (m.type() === 'error' && !/frame-ancestors/.test(m.text()) && !/Failed to load resource/.test(m.text())) {
        pageErrors.push(`console: ${m.text()}`);
      }
    });
    // Resource failures are checked by URL, so the browser's own favicon probe is not mistaken for the app's.
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
    });
    page.setDefaultTimeout(8_000);
    pushes = await connectPage(page, stack.service, server.url, updates);
    // As main does: the controller follows the autoUpdate setting.
    stack.settings.subscribe((s) => updates.setEnabled(s.autoUpdate));
    await page.goto(server.url);
  });

  afterAll(async () => {
    updates.dispose();
    await browser?.close();
    await server?.close();
    if (outDir) removeDir(outDir);
    await stack?.close();
  });

  it('opens on setup at first run, adds a Backtrace source and copies its values', async () => {
    await page.getByRole('heading', { name: 'Welcome to Crashbell' }).waitFor();
    await page.getByRole('note').filter({ hasText: 'Secrets are not encrypted' }).waitFor();
    // Every provider the core offers is named, not two.
    const offered = (await stack.service.getState()).providers!.map((p) => p.name);
    const guide = await page.getByRole('region', { name: 'Welcome to Crashbell' }).textContent();
    for (const name of offered) expect(guide).toContain(name);
    // The tunnel is switched on but has no token: it says so, and Reconnect says why it cannot.
    expect(await page.getByRole('switch', { name: /Use the tunnel/ }).isChecked()).toBe(true);
    await page.getByRole('status', { name: 'Tunnel Needs an authtoken' }).waitFor();
    expect(await page.getByText('Tunnel: Off').count()).toBe(0);
    const reconnect = page.getByRole('button', { name: 'Reconnect' });
    expect(await reconnect.isDisabled()).toBe(true);
    expect(await reconnect.getAttribute('aria-describedby')).toBe('reconnect-why');
    await page.locator('#reconnect-why').filter({ hasText: 'needs an ngrok authtoken' }).waitFor();
    await shoot('setup-first-run');

    await page.getByRole('combobox', { name: 'Provider', exact: true }).selectOption('backtrace');
    await page.getByLabel('Name', { exact: true }).fill('Game client');
    await page.getByRole('button', { name: 'Add source' }).click();
    const card = page.getByRole('article', { name: 'Game client (Backtrace)' });
    await card.waitFor();
    const source = backtraceSource();

    await card.getByRole('button', { name: 'Copy Webhook URL' }).click();
    await card.getByRole('button', { name: 'Copy Webhook URL' }).filter({ hasText: 'Copied' }).waitFor();
    expect(stack.shell.copied.at(-1)).toBe(`${stack.core.localBaseUrl}/hooks/${source.id}`);
    expect(stack.settings.get().tunnel.lastCopiedUrl).toBe(stack.core.localBaseUrl);

    // The password is masked until revealed, and copies in full either way.
    expect(await card.getByText(source.credentials['password']!).count()).toBe(0);
    await card.getByRole('button', { name: 'Reveal Password' }).click();
    await card.getByText(source.credentials['password']!).waitFor();
    await card.getByRole('button', { name: 'Copy Password' }).click();
    await card.getByRole('button', { name: 'Copy Password' }).filter({ hasText: 'Copied' }).waitFor();
    expect(stack.shell.copied.at(-1)).toBe(source.credentials['password']);

    await page.getByRole('button', { name: 'Got it' }).click();
    await page.getByRole('heading', { name: 'Welcome to Crashbell' }).waitFor({ state: 'detached' });
    expect(stack.settings.get().onboarded).toBe(true);
    await shoot('setup');

    await go('Recent errors');
    await page.getByRole('heading', { name: 'No errors yet' }).waitFor();
    await shoot('errors-empty');
    await go('Setup');
  });

  it('the Team relay card saves its servers through the real service and shows why it cannot connect', async () => {
    await go('Setup');
    const card = page.locator('.relay-card');
    await card.getByLabel(/NATS servers/).fill('nats://127.0.0.1:1');
    await card.getByLabel(/Your name for the team/).fill('ana');
    await card.getByRole('button', { name: 'Save relay settings' }).click();
    await card
      .getByText(/Cannot reach NATS at nats:\/\/127\.0\.0\.1:1/)
      .first()
      .waitFor();
    expect(stack.settings.get().relay).toMatchObject({ servers: ['nats://127.0.0.1:1'], member: 'ana' });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await card.screenshot({ path: join(SHOTS, `setup-relay-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await card.getByLabel(/NATS servers/).fill('');
    await card.getByRole('button', { name: 'Save relay settings' }).click();
    await card.getByText('No NATS server configured: the team relay is off').waitFor();
  });

  it('sends a test event through the real receiver from the setup view', async () => {
    const card = page.getByRole('article', { name: 'Game client (Backtrace)' });
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card.getByRole('status').filter({ hasText: 'Delivered to the local receiver: 200' }).waitFor();
    expect(stack.inbox.counts().groups).toBe(1);
  });

  it('shows a Backtrace hook live, and updates its count in place', async () => {
    await go('Recent errors');
    await page.getByRole('listbox', { name: 'Recent errors' }).waitFor();
    expect(await postBacktrace(fixture('backtrace/group-notification.json'))).toBe(200);
    // The test event from setup is the same crash under another fingerprint: two rows now.
    await page.waitForFunction(() => document.querySelectorAll('[role=listbox] [role=option]').length === 2);
    expect(await rows().filter({ hasText: '35×' }).count()).toBe(2);
    // The test event carries its mark and is not an unread error: only the real hook is counted.
    expect(await rows().filter({ hasText: 'Test' }).count()).toBe(1);
    await page.getByRole('navigation', { name: 'Views' }).getByText('1 unread').waitFor();

    const again = JSON.parse(fixture('backtrace/group-notification.json')) as Record<string, unknown>;
    again['occurrences'] = 36;
    again['object_id'] = '2e7';
    expect(await postBacktrace(JSON.stringify(again))).toBe(200);
    await rows().filter({ hasText: '36×' }).waitFor();
    expect(await rows().count()).toBe(2);
    // The updated group moved to the top.
    expect(await rows().first().textContent()).toContain('36×');
    // Its badge is the Backtrace module's mark, coloured under the page's CSP (no inline-style allowance).
    const badge = rows().first().getByRole('img', { name: backtraceProvider.name });
    expect(await badge.textContent()).toBe(backtraceProvider.mark.text);
    const hex = backtraceProvider.mark.color;
    const rgb = `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(rgb);
  });

  it('adds an Errorception source before its secret, takes the secret later, and shows its hook', async () => {
    await go('Setup');
    await page.getByRole('combobox', { name: 'Provider', exact: true }).selectOption('errorception');
    await page.getByLabel('Name', { exact: true }).fill('Marketing site');
    await page.getByRole('button', { name: 'Add source' }).click();
    // Errorception shows its secret only once the WebHook with this URL is saved: the source waits for it.
    const card = page.getByRole('article', { name: 'Marketing site (Errorception)' });
    await card.getByRole('status').filter({ hasText: 'Waiting for its secret key' }).waitFor();
    await shoot('setup-waiting-for-secret');
    const ec = stack.settings.get().sources.find((s) => s.provider === 'errorception')!;
    const early = await postRequest(`${stack.core.localBaseUrl}/hooks/${ec.id}`, {
      headers: { 'content-type': 'application/json', 'x-signature': '0' },
      body: fixture('errorception/first-occurrence.json'),
    });
    expect(early.status).toBe(401);
    expect(early.body).toContain("the secret is not set yet: add it to this source's credentials");
    await card.getByPlaceholder('Not set yet').fill('e2e-secret');
    await card.getByRole('button', { name: 'Save credentials' }).click();
    await card.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(stack.settings.get().sources.find((s) => s.id === ec.id)!.credentials).toEqual({ secret: 'e2e-secret' });

    await go('Recent errors');
    const body = fixture('errorception/first-occurrence.json');
    const parsed = JSON.parse(body) as { message: string; page: string };
    const signature = createHash('sha1').update(`e2e-secret${parsed.message}${parsed.page}`, 'utf8').digest('hex');
    const res = await postRequest(`${stack.core.localBaseUrl}/hooks/${ec.id}`, {
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body,
    });
    expect(res.status).toBe(200);
    await rows()
      .filter({ hasText: /_WidgetManager/ })
      .waitFor();
    // The match count moves with live rows (it once counted a live group twice).
    expect(await rows().count()).toBe(3);
    await page.getByText('3 error groups', { exact: true }).waitFor();
    await shoot('errors');
  });

  it('searches the list', async () => {
    const search = page.getByRole('searchbox', { name: 'Search errors' });
    await search.fill('widgetmanager');
    await page.getByText('1 error group match').waitFor();
    expect(await rows().count()).toBe(1);
    await search.fill('my_fn');
    await rows()
      .filter({ hasText: /exception in printf/ })
      .first()
      .waitFor();
    expect(
      await rows()
        .filter({ hasText: /_WidgetManager/ })
        .count(),
    ).toBe(0);
    // Attributes (environment, version), browser and OS, and source names are searched too.
    for (const [query, shows] of [
      ['1.2.3', /exception in printf/],
      ['staging', /exception in printf/],
      ['android', /_WidgetManager/],
      ['marketing site', /_WidgetManager/],
    ] as const) {
      await search.fill(query);
      await page.getByText(/error groups? match/).waitFor();
      await rows().filter({ hasText: shows }).first().waitFor();
      expect(await rows().filter({ hasNotText: shows }).count()).toBe(0);
    }
    await search.fill('');
    await rows()
      .filter({ hasText: /_WidgetManager/ })
      .waitFor();
    await page.getByText('3 error groups', { exact: true }).waitFor();
  });

  it('opens the detail with callstack, classifiers, histograms and the decision', async () => {
    await rows()
      .filter({ hasText: /exception in printf/ })
      .filter({ hasText: '36×' })
      .click();
    const detail = page.getByRole('article', { name: /exception in printf/ });
    await detail.waitFor();
    await detail.getByRole('listitem').filter({ hasText: 'my_fn' }).first().waitFor();
    await detail.getByRole('list', { name: 'Classifiers' }).getByText('exception').waitFor();
    await detail.getByRole('figure', { name: 'version histogram' }).waitFor();
    await detail.getByRole('figure', { name: 'environment histogram' }).getByText('production').waitFor();
    await detail
      .getByLabel('Notification decision')
      .getByText(/Notified|Not notified/)
      .waitFor();
    await detail.getByRole('button', { name: 'Open in Backtrace' }).click();
    await detail.getByRole('status').filter({ hasText: 'Opened in Backtrace' }).waitFor();
    expect(stack.shell.opened.at(-1)).toBe('https://u.sp.backtrace.io/dashboard/...');
    await shoot('detail');

    // The open detail follows the keyboard selection.
    const list = page.getByRole('listbox', { name: 'Recent errors' });
    await list.focus();
    await page.keyboard.press('Home');
    const pane = page.getByRole('region', { name: 'Error detail' });
    await pane.getByRole('heading', { level: 2, name: /_WidgetManager/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await pane.getByRole('heading', { level: 2, name: /exception in printf/ }).waitFor();

    // Errorception's browser, OS and page.
    await rows()
      .filter({ hasText: /_WidgetManager/ })
      .click();
    const ec = page.getByRole('article', { name: /_WidgetManager/ });
    await ec.getByText('Android', { exact: false }).first().waitFor();
    await ec.getByRole('button', { name: /Copy page http:\/\/blog\.rakeshpai\.me/ }).waitFor();
    await shoot('detail-errorception');
    await ec.getByRole('button', { name: 'Back', exact: true }).click();
  });

  it('shows hostile payload text as text', async () => {
    const hostile = JSON.parse(fixture('backtrace/group-notification.json')) as Record<string, unknown>;
    const markup = '<img src=x onerror="document.title=\'pwned\'">';
    hostile['fingerprint'] = 'hostile-fingerprint';
    hostile['classifiers'] = ['<b>bold</b>'];
    hostile['callstack'] = [markup, 'main'];
    hostile['application'] = '<script>document.title="pwned"</script>';
    expect(await postBacktrace(JSON.stringify(hostile))).toBe(200);
    const row = rows().filter({ hasText: markup });
    await row.waitFor();
    await row.click();
    const detail = page.getByRole('article', { name: /img src=x/ });
    await detail.getByRole('list', { name: 'Classifiers' }).getByText('<b>bold</b>').waitFor();
    expect(await page.locator('img, b, script:not([src])').count()).toBe(0);
    expect(await page.title()).toBe('Crashbell');
    await detail.getByRole('button', { name: 'Back', exact: true }).click();
  });

  it('mutes with M and resolves with R from the keyboard', async () => {
    const list = page.getByRole('listbox', { name: 'Recent errors' });
    await list.focus();
    await page.keyboard.press('Home');
    const first = (await stack.service.listGroups({ limit: 1 })).groups[0]!;
    await page.keyboard.press('m');
    await page.getByRole('listbox', { name: 'Recent errors' }).getByRole('option', { selected: true }).getByText('Muted').waitFor();
    expect(stack.inbox.get(first.id)?.muted).toBe(true);
    await page.keyboard.press('r');
    await page.getByRole('listbox', { name: 'Recent errors' }).getByRole('option', { selected: true }).getByText('Resolved').waitFor();
    expect(stack.inbox.get(first.id)?.resolved).toBe(true);
    await page.getByRole('button', { name: 'Muted', pressed: false }).click();
    await page.getByText('1 error group match').waitFor();
  });

  it('shows a rejected request in the inspector, masked, and replays an accepted one', async () => {
    const s = backtraceSource();
    const bad = await postRequest(`${stack.core.localBaseUrl}/hooks/${s.id}`, {
      headers: { 'content-type': 'application/json', authorization: basic('intruder', 'guess') },
      body: fixture('backtrace/group-notification.json'),
    });
    expect(bad.status).toBe(401);
    await go('Inspector');
    const requests = page.getByRole('listbox', { name: 'Received requests' }).getByRole('option');
    await requests.filter({ hasText: '401' }).first().click();
    const detail = page.getByRole('region', { name: 'Request detail' });
    await detail.getByText('Basic ••••••').waitFor();
    expect(await detail.getByText('intruder').count()).toBe(0);
    // Refused on its headers, before the body was read.
    await detail.getByText('(empty body)').waitFor();

    // A schema violation arrives live, names the field, and shows the body pretty-printed.
    expect(await postBacktrace(fixture('backtrace/missing-fingerprint.json'))).toBe(400);
    await requests.filter({ hasText: '400' }).first().click();
    await detail.getByRole('heading', { name: /400.*fingerprint/ }).waitFor();
    const body = await detail.getByLabel('Request body').textContent();
    expect(body).toContain('\n  "callstack": [\n');
    await shoot('inspector');

    // An accepted request's row names its error.
    expect(await requests.filter({ hasText: /^200/ }).filter({ hasText: 'exception in printf' }).count()).toBeGreaterThan(0);
    await requests.filter({ hasText: /^200/ }).first().click();
    await detail.getByRole('button', { name: 'Replay' }).click();
    // The same hook again: the receiver recognised it as a redelivery, and the answer says so.
    await detail.getByText(/Replayed: 200 recognised as a redelivery/).waitFor();
    await requests.first().filter({ hasText: 'Redelivery' }).waitFor();
    // The replay arrives live at the top of the list.
    expect(stack.core.requests()[0]!.status).toBe(200);
  });

  it('edits settings and applies the theme', async () => {
    await go('Settings');
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await shoot('settings');
    await page.getByRole('combobox', { name: 'Theme', exact: true }).selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark');
    expect(stack.settings.get().theme).toBe('dark');
    await page.screenshot({ path: join(SHOTS, 'settings-theme-dark.png') });
    await page.getByRole('combobox', { name: 'Theme', exact: true }).selectOption('system');
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === undefined);

    const storm = page.getByLabel('Storm control: at most this many notifications');
    await storm.fill('0');
    await storm.press('Enter');
    // Main's IPC layer refuses it before the service sees it, and says which argument.
    await page
      .getByRole('alert')
      .filter({ hasText: /Not saved: Invalid arguments for settings:update \(argument 0\.policy\.stormLimit\)/ })
      .waitFor();
    await storm.fill('7');
    await storm.press('Enter');
    await page.getByText('Saved').waitFor();
    expect(stack.settings.get().policy.stormLimit).toBe(7);

    await page.getByRole('button', { name: 'Until tomorrow 08:00' }).click();
    await page.getByText(/Do Not Disturb: On until/).waitFor();
    // Local time, never an ISO string; and a hook held back by it says the same in its decision.
    const dndLine = (await page.getByText(/Do Not Disturb: On until/).textContent()) ?? '';
    expect(dndLine).toMatch(/On until (tomorrow )?\S*8\D00/);
    expect(dndLine).not.toMatch(/\d{4}-\d\d-\d\dT/);
    const held = { ...(JSON.parse(fixture('backtrace/group-notification.json')) as Record<string, unknown>), fingerprint: 'during-dnd' };
    expect(await postBacktrace(JSON.stringify(held))).toBe(200);
    const heldId = (await stack.service.listGroups({ limit: 1 })).groups[0]!.id;
    const reason = stack.inbox.get(heldId)!.lastDecision!.reason;
    expect(reason).toMatch(/^Do Not Disturb until (tomorrow )?08:00$/);
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByText('Do Not Disturb: Off').waitFor();
  });

  it('offers "Restart to update" in a banner and in Settings once an update is downloaded, and installs it on the click', async () => {
    await go('Settings');
    const card = page.getByRole('region', { name: 'Updates' });
    await card.getByText('Not checked yet').waitFor();
    const toggle = card.getByRole('switch', { name: /Check for updates automatically/ });
    /** The switch from the keyboard, as a user without a mouse flips it. */
    const flip = async () => {
      await toggle.focus();
      await page.keyboard.press('Space');
    };
    // Off in Settings: the real service saves it, and the updates follow.
    await flip();
    await card.getByText('Off', { exact: true }).waitFor();
    expect(stack.settings.get().autoUpdate).toBe(false);
    expect(await card.getByRole('button', { name: 'Check now' }).isDisabled()).toBe(true);
    await flip();
    await card.getByText('Not checked yet').waitFor();
    await card.getByRole('button', { name: 'Check now' }).click();
    const banner = page.getByRole('status', { name: 'Crashbell v1.2.0 is ready to install' });
    await banner.waitFor();
    await card.getByText('v1.2.0 ready').waitFor();
    expect(updater.downloads).toBe(1);
    await shoot('update-ready');
    await banner.getByRole('button', { name: 'Restart to update' }).click();
    await banner.getByRole('button', { name: 'Restarting…' }).waitFor();
    // Silently installed, then the new version started (the real updater quits the app here).
    expect(updater.installs).toEqual([[true, true]]);
    // Off again, so the views after this one are shot without the banner.
    await flip();
    await banner.waitFor({ state: 'detached' });
  });

  it('announces a new public URL with each source’s new webhook URL, until it is copied', async () => {
    await go('Setup');
    await stack.setTunnel(true);
    const banner = page.getByRole('alert').filter({ hasText: 'Your webhook URLs changed' });
    await banner.waitFor();
    const state = await stack.service.getState();
    for (const s of state.sources) await banner.getByText(s.webhookUrl).waitFor();
    await page.getByRole('status', { name: 'Tunnel Online' }).or(page.getByLabel('Tunnel Online')).first().waitFor();
    await shoot('url-changed');
    await banner.getByRole('button', { name: `Copy new webhook URL for ${state.sources[0]!.name}` }).click();
    await banner.waitFor({ state: 'detached' });
    expect(stack.settings.get().tunnel.lastCopiedUrl).toBe(state.publicBaseUrl);
    await stack.setTunnel(false);
  });

  it('marks all read, deletes a group and clears the history once confirmed', async () => {
    await go('Recent errors');
    await page.getByRole('listbox', { name: 'Recent errors' }).waitFor();
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Marked \d+ error groups? read/ })
      .waitFor();
    expect(stack.inbox.counts().unread).toBe(0);
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByText(/unread/)
      .waitFor({ state: 'detached' });

    const before = stack.inbox.counts().groups;
    await rows()
      .filter({ hasText: /_WidgetManager/ })
      .click();
    const detail = page.getByRole('article', { name: /_WidgetManager/ });
    await detail.getByRole('button', { name: 'Delete…' }).click();
    await detail.getByRole('button', { name: 'Delete group' }).click();
    await detail.waitFor({ state: 'detached' });
    await rows()
      .filter({ hasText: /_WidgetManager/ })
      .waitFor({ state: 'detached' });
    expect(stack.inbox.counts().groups).toBe(before - 1);

    await page.getByRole('button', { name: 'Clear history…' }).click();
    await page.getByRole('button', { name: 'Keep it' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep it');
    await shoot('errors-confirm-clear');
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(stack.inbox.counts().groups).toBe(before - 1);
    await page.getByRole('button', { name: 'Clear history…' }).click();
    await page.getByRole('button', { name: 'Clear history', exact: true }).click();
    await page.getByRole('heading', { name: 'No errors yet' }).waitFor();
    expect(stack.inbox.counts().groups).toBe(0);
  });

  it('lists 5,000 groups smoothly (time to first render reported)', async () => {
    pushes.setPushing(false);
    const sourceId = backtraceSource().id;
    const base = Date.now() - 5000 * 1000;
    const events: NormalizedEvent[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `seed-${i}`,
      provider: 'backtrace',
      receivedAt: new Date(base + i * 1000).toISOString(),
      sourceId,
      ...blankEvent({
        groupKey: `seed-fingerprint-${i}`,
        title: `segv in render_frame_${i}`,
        description: `render_frame_${i} ← draw ← main · game.exe`,
        url: `https://u.sp.backtrace.io/dashboard/seed/${i}`,
        occurrences: (i % 97) + 1,
        hosts: (i % 7) + 1,
        guids: 0,
        firstSeen: new Date(base + i * 1000).toISOString(),
        lastSeen: new Date(base + i * 1000).toISOString(),
        classifiers: ['segv'],
        callstack: [`render_frame_${i}`, 'draw', 'main'],
        application: 'game.exe',
        project: i % 2 ? 'client' : 'server',
        objectId: i.toString(16),
        redelivery: { key: `seed-${i}`, windowMs: null },
        raw: { seeded: i },
      }),
    }));
    for (let i = 0; i < events.length; i += 500) {
      await Promise.all(events.slice(i, i + 500).map((e) => stack.core.ingest(e, null, undefined, { kind: 'hook' })));
    }
    expect(stack.inbox.counts().groups).toBeGreaterThanOrEqual(5000);
    pushes.setPushing(true);
    await page.reload();
    await page.getByText(/5,00\d error groups/).waitFor();

    // What the first page weighs on the wire (the bindings carry JSON, as IPC carries a structured clone).
    const firstPage = await stack.service.listGroups({ limit: 500 });
    const bytesPerRow = Buffer.byteLength(JSON.stringify(firstPage.groups), 'utf8') / firstPage.groups.length;
    const runs: Array<{ total: number; answer: number }> = [];
    for (let i = 0; i < 3; i++) runs.push(await timeFirstRows());
    const median = runs.slice().sort((a, b) => a.total - b.total)[1]!;
    const line =
      `${new Date().toISOString()} list first render, ${firstPage.total} groups, ${firstPage.groups.length}-row page of ` +
      `${bytesPerRow.toFixed(0)} B/row: ${runs.map((r) => r.total.toFixed(1)).join(' / ')} ms from the list call to the first rows ` +
      `painted (median ${median.total.toFixed(1)} ms, of which ${median.answer.toFixed(1)} ms for the answer; target < 200 ms, reported, not asserted)`;
    console.log(`[e2e] ${line}`);
    appendFileSync(resolve(ROOT, 'test-results/e2e-list-first-render.txt'), `${line}\n`);
    await page.getByText(/5,00\d error groups/).waitFor();
    // Virtualized: only the rows on screen (plus overscan) are in the DOM.
    expect(await rows().count()).toBeLessThan(80);

    const list = page.getByRole('listbox', { name: 'Recent errors' });
    await list.focus();
    await page.keyboard.press('End');
    await page.getByRole('listbox', { name: 'Recent errors' }).getByRole('option', { selected: true }).waitFor();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Error detail' }).getByRole('heading', { level: 2 }).waitFor();
    await shoot('errors-5000');
  });

  it('has no serious or critical accessibility violation in any view, light or dark (axe-core)', () => {
    const lines = audits.flatMap((a) => findingLines(a.view, a.findings));
    const counts = new Map<string, number>();
    for (const a of audits) for (const f of a.findings) counts.set(f.impact ?? 'unknown', (counts.get(f.impact ?? 'unknown') ?? 0) + 1);
    const summary = `${new Date().toISOString()} axe-core over ${audits.length} views: ${
      [...counts].map(([impact, n]) => `${n} ${impact}`).join(', ') || 'no violation'
    }`;
    console.log(`[e2e] ${summary}`);
    appendFileSync(resolve(ROOT, 'test-results/e2e-axe.txt'), `${[summary, ...lines].join('\n')}\n`);
    expect(audits.length).toBeGreaterThan(0);
    const blocking = audits.flatMap((a) =>
      findingLines(
        a.view,
        a.findings.filter((f) => f.impact !== null && BLOCKING_IMPACTS.includes(f.impact)),
      ),
    );
    expect(blocking).toEqual([]);
  });

  it('raised no page errors and no CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
