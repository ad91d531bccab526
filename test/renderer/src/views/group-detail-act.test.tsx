// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ProvidersContext } from '../../../../renderer/src/lib/providers';
import { GroupDetail } from '../../../../renderer/src/views/group-detail';
import { ACTION_KINDS, type ActionResult } from '../../../../shared/actions';
import type { GroupDetail as Detail, SourceView } from '../../../../shared/ipc';
import { installFakeApi, makeGroupDetail, makeSource, registryProviders } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

const NO_TOKEN = "set a Sentry auth token with the event:write scope in this source's API settings to act in Sentry";

function sentryGroup(over: Partial<Detail> = {}, available = true): Detail {
  return makeGroupDetail({
    provider: 'sentry',
    read: true,
    url: 'https://sentry.io/organizations/acme/issues/1/',
    actions: ACTION_KINDS.map((kind) => ({ kind, available, reason: available ? null : NO_TOKEN })),
    ...over,
  });
}

function renderDetail(sources: SourceView[] = []) {
  return render(
    <ProvidersContext value={registryProviders()}>
      <GroupDetail groupId="g1" live={null} sourceName="Shop" sources={sources} onClose={() => undefined} onChanged={() => undefined} />
    </ProvidersContext>,
  );
}

function row() {
  return screen.getByRole('group', { name: 'Act on this error (Sentry)' });
}

const done = (words: string, action: ActionResult['action'] = 'resolve'): ActionResult => ({
  state: 'done',
  action,
  words,
  where: 'provider',
  code: null,
  status: null,
  retryAt: null,
});

describe('the detail view’s actions', () => {
  it('resolves in the provider: pending in words at once, then done; Resolve becomes Reopen and keeps the focus', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(sentryGroup());
    let answer: (r: ActionResult) => void = () => undefined;
    api.runAction.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    renderDetail();
    await screen.findByRole('group', { name: 'Act on this error (Sentry)' });
    expect(
      within(row())
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Resolve', 'Resolve in next release', 'Snooze ▾', 'Ignore', 'Assign to me', 'Claim']);
    const resolve = within(row()).getByRole('button', { name: 'Resolve' });
    resolve.focus();
    fireEvent.click(resolve);
    expect(api.runAction).toHaveBeenCalledWith('g1', { kind: 'resolve' });
    expect((await screen.findByText('Resolving in Sentry…')).closest('[role="status"]')).toBeTruthy();
    expect(resolve.getAttribute('aria-disabled')).toBe('true');
    api.getGroup.mockResolvedValue(sentryGroup({ resolved: true }));
    await act(async () => answer(done('Resolved in Sentry')));
    const said = await screen.findByText('Resolved in Sentry');
    expect(said.closest('[role="status"]')).toBeTruthy();
    const reopen = await within(row()).findByRole('button', { name: 'Reopen' });
    expect(reopen).toBe(resolve);
    expect(document.activeElement).toBe(reopen);
    expect(screen.getByText('Resolved', { selector: '.chip' })).toBeTruthy();
  });

  it('a refusal is an alert in the provider’s words, and changes nothing', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(sentryGroup());
    api.runAction.mockResolvedValueOnce({
      state: 'failed',
      action: 'ignore',
      words: 'Sentry refused the token (403): it lacks the event:write scope',
      where: null,
      code: 'forbidden',
      status: 403,
      retryAt: null,
    });
    renderDetail();
    fireEvent.click(await screen.findByRole('button', { name: 'Ignore' }));
    const alert = await screen.findByText(/Sentry refused the token \(403\)/);
    expect(alert.closest('[role="alert"]')).toBeTruthy();
    expect(alert.textContent).toBe('Sentry refused the token (403): it lacks the event:write scope. Nothing was changed.');
    expect(within(row()).getByRole('button', { name: 'Ignore' })).toBeTruthy();
  });

  it('says why actions cannot reach the provider: these stay here, those cannot be done', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(sentryGroup({}, false));
    renderDetail();
    await screen.findByRole('group', { name: 'Act on this error (Sentry)' });
    const resolve = within(row()).getByRole('button', { name: 'Resolve' });
    const note = document.getElementById(resolve.getAttribute('aria-describedby')!)!;
    expect(note.textContent).toBe(
      `Resolve, Snooze, Ignore stay in Crashbell, not Sentry; Resolve in next release, Assign to me cannot be done: ${NO_TOKEN}.`,
    );
    const assign = within(row()).getByRole('button', { name: 'Assign to me' }) as HTMLButtonElement;
    expect(assign.disabled).toBe(true);
    expect(assign.getAttribute('aria-describedby')).toBe(note.id);
    fireEvent.click(resolve);
    // Made here only: the words say so without the provider.
    expect(await screen.findByText('Resolving…')).toBeTruthy();
  });

  it('says a source’s “Resolve in Sentry too” turned off', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(sentryGroup());
    const source = makeSource({
      id: 'src-aaaaaaaaaaaaaaaa',
      provider: 'sentry',
      providerName: 'Sentry',
      api: { url: '', assignee: '', resolveInProvider: false, hasToken: true },
    });
    renderDetail([source]);
    await screen.findByText('resolving in Sentry is turned off for this source', { exact: false });
  });

  it('snoozes from the Snooze ▾ menu by keyboard, and until N more occurrences through its form', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(sentryGroup());
    api.runAction.mockResolvedValue(done('Snoozed for 8 hours in Sentry', 'snooze'));
    renderDetail();
    const snooze = await screen.findByRole('button', { name: 'Snooze' });
    fireEvent.keyDown(snooze, { key: 'ArrowDown' });
    const menu = screen.getByRole('menu', { name: 'Snooze' });
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map((i) => i.textContent),
    ).toEqual(['For 1 hour', 'For 8 hours', 'For 24 hours', 'Until more occurrences…']);
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    fireEvent.keyDown(menu, { key: 'Enter' });
    expect(api.runAction).toHaveBeenCalledWith('g1', { kind: 'snooze', minutes: 480 });
    expect(document.activeElement).toBe(snooze);
    await screen.findByText('Snoozed for 8 hours in Sentry');

    fireEvent.keyDown(snooze, { key: 'ArrowUp' });
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Enter' });
    const form = screen.getByRole('form', { name: 'Snooze until more occurrences' });
    const count = within(form).getByLabelText('More occurrences');
    expect(document.activeElement).toBe(count);
    fireEvent.change(count, { target: { value: '0' } });
    fireEvent.submit(form);
    await within(form).findByRole('alert');
    fireEvent.change(count, { target: { value: '250' } });
    fireEvent.submit(form);
    expect(api.runAction).toHaveBeenLastCalledWith('g1', { kind: 'snooze-occurrences', count: 250 });
    expect(screen.queryByRole('form', { name: 'Snooze until more occurrences' })).toBeNull();
    expect(document.activeElement).toBe(snooze);
    // While it runs, the row takes no other action.
    expect(snooze.getAttribute('aria-disabled')).toBe('true');
    await waitFor(() => expect(snooze.getAttribute('aria-disabled')).toBeNull());

    // Escape leaves the form, asking nothing, with focus back on Snooze ▾.
    fireEvent.keyDown(snooze, { key: 'ArrowUp' });
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Enter' });
    fireEvent.keyDown(screen.getByLabelText('More occurrences'), { key: 'Escape' });
    expect(screen.queryByRole('form')).toBeNull();
    expect(document.activeElement).toBe(snooze);
    expect(api.runAction).toHaveBeenCalledTimes(2);
  });

  it('claims and releases, shows who is on it, and Reopen for an ignored group', async () => {
    const { api } = installFakeApi();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    api.getGroup.mockResolvedValue(sentryGroup({ ignored: true, claimedBy: 'ana', claimedUntil: until, assignee: 'ana@example.com' }));
    renderDetail();
    await screen.findByText(/^ana is on it until /);
    expect(screen.getByText('Ignored', { selector: '.chip' })).toBeTruthy();
    expect(screen.getByText('Assigned to ana@example.com')).toBeTruthy();
    expect(
      within(row())
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Reopen', 'Assign to me', 'Release claim']);
    fireEvent.click(within(row()).getByRole('button', { name: 'Release claim' }));
    await waitFor(() => expect(api.runAction).toHaveBeenCalledWith('g1', { kind: 'release' }));
    fireEvent.click(within(row()).getByRole('button', { name: 'Reopen' }));
    await waitFor(() => expect(api.runAction).toHaveBeenLastCalledWith('g1', { kind: 'unresolve' }));
  });

  it('shows an action pending from elsewhere, and fetches the group again when its state changes', async () => {
    const { api, push } = installFakeApi();
    api.getGroup.mockResolvedValue(
      sentryGroup({
        action: {
          action: 'snooze',
          state: 'pending',
          words: 'Snoozing for 1 hour in Sentry…',
          at: new Date().toISOString(),
          retryAt: null,
          by: 'ana',
        },
      }),
    );
    renderDetail();
    await screen.findByText('Snoozing for 1 hour in Sentry…');
    const asked = api.getGroup.mock.calls.length;
    api.getGroup.mockResolvedValue(sentryGroup({ resolved: true, resolvedBy: 'bo' }));
    act(() => push('group:state', { group: 'g1', status: 'resolved', by: 'bo', via: 'team' }));
    await screen.findByText('Resolved by bo');
    expect(api.getGroup.mock.calls.length).toBeGreaterThan(asked);
    // Another group's change asks nothing.
    const now = api.getGroup.mock.calls.length;
    act(() => push('group:state', { group: 'g2', status: 'resolved', by: 'bo', via: 'team' }));
    expect(api.getGroup.mock.calls.length).toBe(now);
  });
});
