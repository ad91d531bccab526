/**
 * A provider's own state hooks reaching the group, through the whole engine over a real socket, with Sentry's real
 * deliveries: an issue ignored in Sentry is held as ignored here (a group-state change from the provider, nothing
 * raised) until Sentry reopens it, which notifies as a regression; and Sentry's ignore hook that follows Crashbell's
 * own snooze through Sentry's API (a local fake of it) is taken as already applied, so the group stays snoozed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Engine, startEngine } from '../../../../main/core/engine';
import { signSentryHook } from '../../../../main/core/providers/sentry-signature';
import { MemorySettingsStore } from '../../../../main/core/settings-access';
import type { GroupStateChange, NotificationRequest } from '../../../../shared/events';
import { parseSettings, type SourceInput } from '../../../../shared/settings';
import { sendHook } from '../../../helpers/hook-client';
import { type ProviderApiFake, sentryApiFake } from '../../../helpers/provider-api-fakes';
import { fixtureText } from '../../../helpers/saas-fixtures';

const SECRET = 'state-hooks-sentry-client-secret';
const TOKEN = 'sntrys_state_hooks_token_0123456789';
const SOURCE = 'sentryStateHooksSrcAAAA';
const dirs: string[] = [];
const engines: Engine[] = [];
const fakes: ProviderApiFake[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const f of fakes.splice(0)) await f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function sentryEngine(api?: { token: string; url: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'crashbell-state-hooks-'));
  dirs.push(dir);
  const source: SourceInput = {
    id: SOURCE,
    provider: 'sentry',
    name: 'Web',
    credentials: { clientSecret: SECRET },
    // The zulip deliveries name no organization: the API's is read from here.
    webUrl: 'https://zulip-org.sentry.io/',
    ...(api ? { api } : {}),
  };
  const settings = new MemorySettingsStore(
    parseSettings({ port: 0, tunnel: { enabled: false }, sources: [source], relay: { member: 'ana' } }),
  );
  const states: GroupStateChange[] = [];
  const notes: NotificationRequest[] = [];
  const engine = await startEngine({
    settings,
    dataDir: dir,
    ngrok: null,
    subscribe: (core) => {
      core.onGroupState((s) => states.push(s));
      core.onNotification((n) => notes.push(n));
    },
  });
  engines.push(engine);
  const hook = async (body: string) => {
    const answer = await sendHook(engine.core.port!, {
      path: `/hooks/${SOURCE}`,
      headers: signSentryHook(SECRET, 'issue', body, Date.now()),
      body,
    });
    expect(answer.status).toBe(200);
  };
  return { engine, states, notes, hook };
}

const resolvedHook = fixtureText('sentry', 'zulip-2020-issue-resolved.json');
const ignoredHook = fixtureText('sentry', 'zulip-2020-issue-ignored.json');
/** Sentry reopening the same issue: its real ignore delivery as an `unresolved` one (the shapes are the same). */
const unresolvedHook = JSON.stringify({ ...(JSON.parse(ignoredHook) as Record<string, unknown>), action: 'unresolved' });

describe("a provider's own state hooks", () => {
  it('ignored in Sentry: held as ignored here, nothing raised; Sentry reopening it notifies as a regression', async () => {
    const { engine, states, notes, hook } = await sentryEngine();
    await hook(resolvedHook);
    const group = engine.core.inbox.list({}).groups[0]!.id;
    expect(engine.core.group(group)).toMatchObject({ resolved: true });

    await hook(ignoredHook);
    expect(engine.core.group(group)).toMatchObject({ ignored: true, lastDecision: { notify: false, code: 'provider-ignored' } });
    expect(notes).toEqual([]);
    expect(states).toEqual([{ group, status: 'ignored', by: null, via: 'provider' }]);

    await hook(unresolvedHook);
    expect(engine.core.group(group)).toMatchObject({ ignored: false, resolved: false });
    expect(notes).toHaveLength(1);
    expect(notes[0]?.title).toMatch(/^Regressed in Web: /);
    expect(states.slice(1)).toEqual([{ group, status: 'reopened', by: null, via: 'provider' }]);
  });

  it("Sentry's ignore hook after Crashbell's own snooze through its API is the snooze's echo: it stays a snooze", async () => {
    const fake = await sentryApiFake({ [TOKEN]: ['event:write'] }, ['zulip-org/1638821441']).start();
    fakes.push(fake);
    const { engine, states, notes, hook } = await sentryEngine({ token: TOKEN, url: fake.url });
    await hook(resolvedHook);
    const group = engine.core.inbox.list({}).groups[0]!.id;
    expect(await engine.service.runAction(group, { kind: 'unresolve' })).toMatchObject({ state: 'done', where: 'provider' });
    const snoozed = await engine.service.runAction(group, { kind: 'snooze', minutes: 60 });
    expect(snoozed).toMatchObject({ state: 'done', where: 'provider', words: 'Snoozed for 1 hour in Sentry' });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/api/0/organizations/zulip-org/issues/1638821441/',
      body: { status: 'ignored', statusDetails: { ignoreDuration: 60 } },
    });
    const changes = states.length;

    await hook(ignoredHook);
    expect(engine.core.group(group)).toMatchObject({ snoozedUntil: expect.any(String), lastDecision: { code: 'own-action' } });
    expect(engine.core.group(group)?.ignored ?? false).toBe(false);
    expect(states.slice(changes)).toEqual([]);
    expect(notes).toEqual([]);
  });
});
