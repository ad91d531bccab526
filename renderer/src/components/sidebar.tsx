/** The window's sidebar: the views with the unread count, and the receiver, tunnel, Do Not Disturb and pause at a glance. */
import type { AppState, SettingsView, ViewName } from '../../../shared/ipc';
import { dndLabel } from '../lib/dnd';
import { tunnelSummary } from '../lib/format';
import { useNow } from '../lib/use-now';

const NAV: Array<{ view: ViewName; label: string; icon: string }> = [
  { view: 'errors', label: 'Recent errors', icon: '⚑' },
  { view: 'setup', label: 'Setup', icon: '⚙' },
  { view: 'inspector', label: 'Inspector', icon: '⇄' },
  { view: 'settings', label: 'Settings', icon: '☰' },
];

/** What the sidebar shows. */
export interface SidebarProps {
  state: AppState;
  settings: SettingsView | null;
  /** The view shown (its button is the current page). */
  view: ViewName;
  onShow: (view: ViewName) => void;
}

/** The sidebar: the brand, one button per view, and the status lines. */
export function Sidebar({ state, settings, view, onShow }: SidebarProps) {
  return (
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
            <button type="button" className="nav-item" aria-current={view === n.view ? 'page' : undefined} onClick={() => onShow(n.view)}>
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
      <SidebarStatus state={state} settings={settings} />
    </nav>
  );
}

/** The receiver, the tunnel, Do Not Disturb and a global pause, one line each. */
function SidebarStatus({ state, settings }: { state: AppState; settings: SettingsView | null }) {
  const now = useNow();
  const tunnel = tunnelSummary(state.tunnel, settings?.tunnel ?? null);
  return (
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
  );
}
