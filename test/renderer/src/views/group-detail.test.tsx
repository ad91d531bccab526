// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { trimmedBody } from '../../../../shared/relay-body';
import { ProvidersContext } from '../../../../renderer/src/lib/providers';
import { GroupDetail } from '../../../../renderer/src/views/group-detail';
import { installFakeApi, makeGroupDetail, registryProviders } from '../../../helpers/fake-api';

afterEach(cleanup);

/** The detail as the app renders it: below the registry main sent. */
function renderDetail(onChanged = () => undefined, onClose = () => undefined) {
  return render(
    <ProvidersContext value={registryProviders()}>
      <GroupDetail groupId="g1" live={null} sourceName="Game client" onClose={onClose} onChanged={onChanged} />
    </ProvidersContext>,
  );
}

describe('GroupDetail content', () => {
  it('shows what the hooks carried and why it notified, and marks the group read', async () => {
    const { api } = installFakeApi();
    renderDetail();
    await screen.findByRole('heading', { name: 'exception in printf' });
    expect(screen.getByText('my_fn')).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Classifiers' }).textContent).toContain('exception');
    expect(screen.getByRole('figure', { name: 'version histogram' }).textContent).toContain('1.1.0');
    expect(screen.getByLabelText('Notification decision').textContent).toContain('Notified: New group');
    await waitFor(() => expect(api.markGroup).toHaveBeenCalledWith('g1', { read: true }));
  });

  it('says which team member resolved or muted it through the team relay', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ resolved: true, resolvedBy: 'ana', muted: true, mutedBy: 'bo' }));
    renderDetail();
    await screen.findByText('Resolved by ana');
    expect(screen.getByText('Muted by bo')).toBeTruthy();
  });

  it('a hook the team relay could not carry whole says its body was too large to forward, then shows its start', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ latestRaw: trimmedBody(1_500_000, 1_048_576, '{"fingerprint":"big","callst') }));
    renderDetail();
    await screen.findByText(/^The body was too large to forward through the team relay: 1,500,000 bytes/);
    expect(screen.getByRole('region', { name: 'Latest hook body' }).textContent).toBe('{"fingerprint":"big","callst…');
  });

  it('renders payload text as text, never as HTML', async () => {
    const { api } = installFakeApi();
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    api.getGroup.mockResolvedValue(makeGroupDetail({ title: evil, callstack: [evil], classifiers: [evil], page: evil, description: evil }));
    const { container } = renderDetail();
    await screen.findByRole('heading', { name: evil });
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });

  it('shows Errorception’s browser, OS and page', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(
      makeGroupDetail({
        provider: 'errorception',
        title: '"_WidgetManager" is undefined',
        callstack: [],
        attributes: {},
        classifiers: [],
        page: 'http://blog.example/post.html',
        browser: { name: 'Android Browser', version: '4.0' },
        os: { name: 'Android', version: '4.1.2' },
        read: true,
      }),
    );
    renderDetail();
    await screen.findByText('Android Browser 4.0');
    expect(screen.getByText('Android 4.1.2')).toBeTruthy();
    // The page where the error happened is the hook's word: shown and copied, never opened from here.
    expect(screen.getByText('http://blog.example/post.html')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy page http://blog.example/post.html' }));
    await waitFor(() => expect(api.copy).toHaveBeenCalledWith('http://blog.example/post.html', {}));
    expect(api.openLink).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Open in Errorception' })).toBeTruthy();
  });
});

describe('GroupDetail actions and links', () => {
  it('opens, copies and mutes through the api', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ read: true }));
    const changed: unknown[] = [];
    renderDetail(((g: unknown) => void changed.push(g)) as () => undefined);
    fireEvent.click(await screen.findByRole('button', { name: 'Open in Backtrace' }));
    await screen.findByText('Opened in Backtrace');
    fireEvent.click(screen.getByRole('button', { name: 'Copy link' }));
    await waitFor(() => expect(api.copy).toHaveBeenCalledWith('https://u.sp.backtrace.io/dashboard/x', {}));
    fireEvent.click(screen.getByRole('button', { name: 'Mute group' }));
    await screen.findByRole('button', { name: 'Unmute group' });
    expect(api.markGroup).toHaveBeenCalledWith('g1', { muted: true });
    expect(changed).toHaveLength(1);
  });

  it('says when the group is gone, and when loading failed', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValueOnce(null);
    renderDetail();
    await screen.findByText('This error is gone');
    cleanup();
    api.getGroup.mockRejectedValueOnce(new Error("Error invoking remote method 'groups:get': Error: disk on fire"));
    renderDetail();
    await screen.findByText('disk on fire');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('shows a link the rule refuses as text, with why, and does not offer to open it', async () => {
    const { api } = installFakeApi();
    const url = 'http://127.0.0.1:631/admin';
    const reason =
      "127.0.0.1 is an address on a network, not Errorception's web app; if your Errorception really lives there, set it as this source's web app URL in Setup";
    api.getGroup.mockResolvedValue(
      makeGroupDetail({ provider: 'errorception', url, read: true, link: { url, opens: false, reason, derived: null } }),
    );
    renderDetail();
    const open = await screen.findByRole('button', { name: 'Open in Errorception' });
    expect((open as HTMLButtonElement).disabled).toBe(true);
    const note = screen.getByRole('note');
    expect(note.textContent).toContain('Not opened:');
    expect(note.textContent).toContain(reason);
    expect(note.textContent).toContain(url);
    // It can still be copied, as text.
    fireEvent.click(screen.getByRole('button', { name: 'Copy link' }));
    await waitFor(() => expect(api.copy).toHaveBeenCalledWith(url, {}));
    expect(api.openGroup).not.toHaveBeenCalled();
  });

  it('says when Crashbell built the link because the provider sent none', async () => {
    const { api } = installFakeApi();
    const url = 'https://acme.sentry.io/issues/1638821441/';
    const derived = "built from the issue id and this source's web app URL: Sentry sent no web_url";
    api.getGroup.mockResolvedValue(
      makeGroupDetail({ provider: 'sentry', url, read: true, link: { url, opens: true, reason: null, derived } }),
    );
    renderDetail();
    expect(await screen.findByText(`Link built by Crashbell: ${derived}.`)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Open in Sentry' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('says when the provider sent no link', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ url: null, read: true }));
    renderDetail();
    expect(await screen.findByText('Backtrace sent no link for this error.')).toBeTruthy();
  });

  it('deletes the group only once confirmed, starting on Keep it, and closes', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ read: true }));
    const onClose = vi.fn();
    renderDetail(() => undefined, onClose);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete…' }));
    const keep = screen.getByRole('button', { name: 'Keep it' });
    await waitFor(() => expect(document.activeElement).toBe(keep));
    expect((screen.getByRole('button', { name: 'Delete…' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(keep);
    expect(api.deleteGroup).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete group' }));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(api.deleteGroup).toHaveBeenCalledWith('g1');
  });
});
