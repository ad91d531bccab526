/**
 * The shell's notifications and tray over the real engine, with Electron mocked at its one boundary
 * (main/electron.ts): a Rollbar hook raises a notification whose Resolve and Snooze 1 h buttons act in Rollbar
 * (a local fake of its documented API) through the app service; a notification still on screen is withdrawn once
 * its group settles, by an action here or by Rollbar's own state hook; a refused action is said in a notification
 * with Rollbar's words; and the tray's latest errors act through their submenus.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lifecycle } from '../../main/app-lifecycle';
import { createNotifier, withdrawSettled } from '../../main/notifier-wiring';
import { ShellParts } from '../../main/shell-parts';
import type { TrayMenuItem } from '../../main/tray';
import { createTray } from '../../main/tray-wiring';
import { UpdateController } from '../../main/updater';
import { sendHook } from '../helpers/hook-client';
import { fixturePath, ROOT } from '../helpers/paths';
import { type ProviderApiFake, rollbarApiFake } from '../helpers/provider-api-fakes';
import { type Stack, startStack } from '../helpers/stack';

/** What the mocked Electron made, for the test to press and read. */
const made = vi.hoisted(() => ({
  notifications: [] as Array<{
    options: { title: string; body: string; actions?: Array<{ text: string }> };
    closed: boolean;
    emit: (event: string, ...args: unknown[]) => void;
  }>,
  menus: [] as unknown[],
}));

vi.mock('../../main/electron', async () => {
  const { EventEmitter } = await import('node:events');
  class Notification extends EventEmitter {
    static isSupported() {
      return true;
    }
    closed = false;
    constructor(readonly options: { title: string; body: string }) {
      super();
    }
    show() {
      made.notifications.push(this);
    }
    close() {
      this.closed = true;
    }
  }
  class Tray extends EventEmitter {
    setImage() {}
    setToolTip() {}
    setContextMenu(menu: unknown) {
      made.menus.push(menu);
    }
    destroy() {}
  }
  return {
    Notification,
    Tray,
    // The template itself stands for the built menu, so the test can click its items.
    Menu: { buildFromTemplate: (template: unknown) => template },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    app: { isPackaged: false, getAppPath: () => ROOT },
  };
});

const TOKEN = 'rollbar-write-token-0123456789abcdef';
const SOURCE = 'rollbarShellSrcAAAAAAAA';
const ITEMS = ['272716944', '272716945'];

function rollbarHook(event: string, itemId: string): string {
  const body = JSON.parse(readFileSync(fixturePath('rollbar', 'new-item.json'), 'utf8')) as {
    data: { item: Record<string, unknown> };
  };
  body.data.item['id'] = Number(itemId);
  body.data.item['title'] = `error of item ${itemId}`;
  return JSON.stringify({ ...body, event_name: event });
}

let stack: Stack;
let fake: ProviderApiFake;
const offs: Array<() => void> = [];
const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;

beforeEach(async () => {
  // The buttons exist on macOS and Windows only; the notifier and the tray read the platform when built.
  Object.defineProperty(process, 'platform', { value: 'darwin' });
  made.notifications.length = 0;
  made.menus.length = 0;
  fake = await rollbarApiFake({ [TOKEN]: ['read', 'write'] }, ITEMS).start();
  stack = await startStack({
    onboarded: true,
    relay: { member: 'ana' },
    sources: [{ id: SOURCE, provider: 'rollbar', name: 'Shop', api: { token: TOKEN, url: fake.url } }],
  });
});

afterEach(async () => {
  Object.defineProperty(process, 'platform', platform);
  for (const off of offs.splice(0)) off();
  await stack.close();
  await fake.close();
});

/** The shell as main/index.ts wires it, over the stack's engine; navigations are recorded. */
function shell() {
  const parts = new ShellParts();
  parts.engine = stack.engine;
  const navigated: Array<[string, string | undefined]> = [];
  parts.navigate = (view, groupId) => void navigated.push([view, groupId]);
  parts.showWindow = () => undefined;
  const { notifier, act } = createNotifier(parts);
  offs.push(withdrawSettled(stack.service, notifier));
  const raised = stack.core.onNotification((n) => notifier.show(n));
  offs.push(() => raised.dispose());
  return { parts, notifier, act, navigated };
}

async function hook(event: string, itemId: string): Promise<string> {
  const res = await sendHook(stack.core.port!, {
    path: `/hooks/${SOURCE}`,
    headers: { 'content-type': 'application/json' },
    body: rollbarHook(event, itemId),
  });
  expect(res.status).toBe(200);
  return stack.core.inbox.list({ text: `item ${itemId}` }).groups[0]!.id;
}

/** Waits (in small steps, a bounded number of them) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  if (!(await check())) throw new Error(`never happened: ${what}`);
}

describe('a notification’s buttons', () => {
  it('Resolve and Snooze 1 h act in Rollbar through the app service', async () => {
    shell();
    const a = await hook('new_item', ITEMS[0]!);
    const b = await hook('new_item', ITEMS[1]!);
    expect(made.notifications.map((n) => n.options.actions?.map((x) => x.text))).toEqual([
      ['Open', 'Resolve', 'Snooze 1 h'],
      ['Open', 'Resolve', 'Snooze 1 h'],
    ]);
    made.notifications[0]!.emit('action', { actionIndex: 1 }, 1);
    await until(() => stack.core.group(a)?.resolved === true, 'the group resolved');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', path: `/api/1/item/${ITEMS[0]}`, body: { status: 'resolved' } });
    made.notifications[1]!.emit('action', { actionIndex: 2 }, 2);
    await until(async () => (await stack.service.getGroup(b))?.action?.state === 'done', 'the snooze done');
    expect(stack.core.group(b)?.snoozedUntil).toEqual(expect.any(String));
    expect(fake.requests.at(-1)?.body).toMatchObject({ snooze_enabled: true, snooze_expiration_in_seconds: 3600 });
    expect((await stack.service.getGroup(b))?.action).toMatchObject({
      action: 'snooze',
      words: 'Snoozed for 1 hour in Rollbar',
      by: 'ana',
    });
  });

  it('a refusal changes nothing and is said in a notification with Rollbar’s words, whose click shows the error', async () => {
    const { navigated } = shell();
    const a = await hook('new_item', ITEMS[0]!);
    fake.answerNext({ status: 403, body: { err: 1, message: 'access token does not have the write scope' } });
    made.notifications[0]!.emit('action', { actionIndex: 1 }, 1);
    await until(() => made.notifications.length === 2, 'the failure’s notification');
    const failure = made.notifications[1]!;
    expect(failure.options.title).toBe(`Not resolved: error of item ${ITEMS[0]}`);
    expect(failure.options.body).toMatch(/^Rollbar refused the token \(403\).*write scope.*Click to see the error in Crashbell\.$/);
    expect(failure.options.actions).toBeUndefined();
    expect(stack.core.group(a)?.resolved).toBe(false);
    failure.emit('click');
    expect(navigated).toEqual([['errors', a]]);
  });
});

describe('alerts that follow the issue’s state', () => {
  it('withdraws a notification still on screen when its group is resolved here, or by Rollbar’s own state hook', async () => {
    shell();
    const a = await hook('new_item', ITEMS[0]!);
    const b = await hook('new_item', ITEMS[1]!);
    const [na, nb] = made.notifications;
    // From the window (or the command line): the same service call.
    await stack.service.runAction(a, { kind: 'resolve' });
    expect(na!.closed).toBe(true);
    expect(nb!.closed).toBe(false);
    // Rollbar says item b was resolved (by someone in Rollbar): its notification goes too, and nothing new is raised.
    await hook('resolved_item', ITEMS[1]!);
    expect(stack.core.group(b)?.resolved).toBe(true);
    expect(nb!.closed).toBe(true);
    expect(made.notifications).toHaveLength(2);
    // A mute from the window (or a teammate's, through the relay) settles one as well.
    const c = await hook('new_item', '272716946');
    const nc = made.notifications.at(-1)!;
    expect(nc.closed).toBe(false);
    await stack.service.markGroup(c, { muted: true });
    expect(nc.closed).toBe(true);
  });
});

describe('the tray’s latest errors', () => {
  it('each has Open, Resolve and Snooze 1 h, acting through the app service', async () => {
    const { act, parts } = shell();
    const updates = new UpdateController({
      feed: { provider: 'generic', url: 'https://127.0.0.1/updates/' },
      load: async () => ({ unsupported: 'The test runs no installer.' }),
      enabled: false,
    });
    const lifecycle = { quit: () => undefined } as unknown as Lifecycle;
    const tray = await createTray(stack.service, updates, parts, lifecycle, act);
    offs.push(() => tray.dispose());
    const a = await hook('new_item', ITEMS[0]!);
    const entry = () =>
      (made.menus.at(-1) as TrayMenuItem[]).find(
        (i) => i.label === `• error of item ${ITEMS[0]}` || i.label === `error of item ${ITEMS[0]}`,
      );
    await until(() => entry() !== undefined, 'the error in the tray');
    expect(entry()!.submenu!.map((i) => i.label)).toEqual(['Open', 'Resolve', 'Snooze 1 h']);
    entry()!.submenu!.find((i) => i.label === 'Snooze 1 h')!.click!();
    await until(() => (stack.core.group(a)?.snoozedUntil ?? null) !== null, 'the group snoozed from the tray');
    await until(() => entry()?.submenu?.[2]?.label === 'Snoozed', 'the tray to follow');
    entry()!.submenu!.find((i) => i.label === 'Resolve')!.click!();
    await until(() => stack.core.group(a)?.resolved === true, 'the group resolved from the tray');
    expect(fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      { snooze_enabled: true, snooze_expiration_in_seconds: 3600 },
      { status: 'resolved' },
    ]);
    await until(() => entry()?.submenu?.[1]?.enabled === false, 'Resolve to be done in the tray');
  });
});
