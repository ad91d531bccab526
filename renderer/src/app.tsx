/**
 * The window's frame: navigation, the tunnel and DND status, the "URL changed" and "Restart to update" banners,
 * and the views.
 * App state comes from main at start and by push; nothing is polled.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AppState, SettingsView, ViewName } from '../../shared/ipc';
import { errorMessage, getSettings, getState, hasBridge, onNavigate, onStateChanged } from './api';
import { CopyButton } from './components/copy-button';
import { ErrorBox } from './components/error-box';
import { Spinner } from './components/spinner';
import { UpdateBanner } from './components/update-banner';
import { dndLabel } from './lib/dnd';
import { tunnelSummary } from './lib/format';
import { ProvidersContext } from './lib/providers';
import { applyTheme } from './lib/theme';
import { useUpdateState } from './lib/updates';
import { useNow } from './lib/use-now';
import { ErrorsView } from './views/errors-view';
import { InspectorView } from './views/inspector-view';
import { SettingsView as SettingsPage } from './views/settings-view';
import { SetupView } from './views/setup-view';

const NAV: Array<{ view: ViewName; label: string; icon: string }> = [
  { view: 'errors', label: 'Recent errors', icon: '⚑' },
  { view: 'setup', label: 'Setup', icon: '⚙' },
  { view: 'inspector', label: 'Inspector', icon: '⇄' },
  { view: 'settings', label: 'Settings', icon: '☰' },
];

export function App() {
  const [state, setState] = useState<AppState | null>(null);
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<ViewName | null>(null);
  const [openRequest, setOpenRequest] = useState<{ groupId: string; nonce: number } | null>(null);
  const now = useNow();
  const update = useUpdateState();

  const load = useCallback(() => {
    if (!hasBridge()) {
      setError('Crashbell cannot reach its main process: the preload bridge is missing.');
      return;
    }
    setError(null);
    Promise.all([getState(), getSettings()]).then(
      ([s, st]) => {
        setState(s);
        setSettings(st);
        applyTheme(st.theme);
        // The first run opens on setup with its guide.
        setView((v) => v ?? (s.onboarded ? 'errors' : 'setup'));
      },
      (err) => setError(errorMessage(err)),
    );
  }, []);

  useEffect(() => {
    load();
    if (!hasBridge()) return;
    const offState = onStateChanged((next) => {
      setState(next);
      // The tray can change settings too (DND, pause, start at login): keep the settings view true.
      getSettings().then(
        (st) => {
          setSettings(st);
          applyTheme(st.theme);
        },
        () => undefined,
      );
    });
    const offNav = onNavigate((to) => {
      setView(to.view);
      if (to.groupId) setOpenRequest({ groupId: to.groupId, nonce: Date.now() });
    });
    return () => {
      offState();
      offNav();
    };
  }, [load]);

  const onSettings = useCallback((s: SettingsView) => {
    setSettings(s);
    applyTheme(s.theme);
  }, []);

  if (error && !state) {
    return (
      <div className="app-loading">
        <ErrorBox message={error} onRetry={hasBridge() ? load : undefined} />
      </div>
    );
  }
  if (!state || !view) {
    return (
      <div className="app-loading">
        <Spinner label="Starting Crashbell" />
      </div>
    );
  }

  const tunnel = tunnelSummary(state.tunnel, settings?.tunnel ?? null);
  return (
    // Names and badges of providers come from main's registry, for every view below.
    <ProvidersContext value={state.providers}>
      <div className="app">
        <nav className="sidebar" aria-label="Views">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              ◉
            </span>
            <span>Crashbell</span>
          </div>
          <ul>
            {NAV.map((n) => (
              <li key={n.view}>
                <button
                  type="button"
                  className="nav-item"
                  aria-current={view === n.view ? 'page' : undefined}
                  onClick={() => setView(n.view)}
                >
                  <span className="nav-icon" aria-hidden="true">
                    {n.icon}
                  </span>
                  <span>{n.label}</span>
                  {n.view === 'errors' && state.unread > 0 && (
                    <span className="nav-count">
                      <span aria-hidden="true">{state.unread > 999 ? '999+' : state.unread}</span>
                      <span className="visually-hidden">{state.unread} unread</span>
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
          <div className="sidebar-foot">
            <p className="status-line">
              <span className={`dot tone-${state.receiver.listening ? 'ok' : 'bad'}`} aria-hidden="true" />
              {state.receiver.listening
                ? `Listening on port ${state.receiver.port}`
                : `Not listening${state.receiver.error ? `: ${state.receiver.error}` : ''}`}
            </p>
            <p className="status-line" title={tunnel.detail ?? undefined}>
              <span className={`dot tone-${tunnel.tone}`} aria-hidden="true" />
              Tunnel: {tunnel.label}
            </p>
            <p className="status-line">
              <span className={`dot tone-${state.dnd.active ? 'busy' : 'off'}`} aria-hidden="true" />
              Do Not Disturb: {dndLabel(state.dnd, settings?.dnd ?? null, now)}
            </p>
            {state.pausedAll && (
              <p className="status-line">
                <span className="dot tone-busy" aria-hidden="true" />
                All sources paused
              </p>
            )}
          </div>
        </nav>
        <main className="content">
          {state.urlChanged && <UrlChangedBanner state={state} onSetup={() => setView('setup')} />}
          <UpdateBanner state={update} />
          {view === 'errors' && (
            <ErrorsView
              state={state}
              openRequest={openRequest}
              onOpenHandled={() => setOpenRequest(null)}
              onGoToSetup={() => setView('setup')}
            />
          )}
          {view === 'setup' && <SetupView state={state} settings={settings} onSettings={onSettings} />}
          {view === 'inspector' && <InspectorView state={state} />}
          {view === 'settings' && <SettingsPage state={state} settings={settings} onSettings={onSettings} update={update} />}
        </main>
      </div>
    </ProvidersContext>
  );
}

/** The public URL moved: each source's new webhook URL, to paste into its provider. */
function UrlChangedBanner({ state, onSetup }: { state: AppState; onSetup: () => void }) {
  return (
    <section className="banner" role="alert" aria-labelledby="url-changed-heading">
      <h2 id="url-changed-heading">Your webhook URLs changed</h2>
      <p>
        Crashbell’s public URL is now <code>{state.publicBaseUrl}</code>. Update the webhook URL in each provider’s settings, or their hooks
        will not reach Crashbell:
      </p>
      <ul className="banner-list">
        {state.sources.map((s) => (
          <li key={s.id}>
            <span className="banner-source">{s.name}</span>
            <code className="wrap">{s.webhookUrl}</code>
            <CopyButton text={s.webhookUrl} label={`Copy new webhook URL for ${s.name}`} what={{ sourceId: s.id, webhookUrl: true }} />
          </li>
        ))}
      </ul>
      <p className="muted small">
        A reserved ngrok domain keeps the URL the same across restarts.{' '}
        <button type="button" className="link-button" onClick={onSetup}>
          Set one in Setup
        </button>
      </p>
    </section>
  );
}
