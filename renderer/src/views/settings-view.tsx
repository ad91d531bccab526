/**
 * Settings: the notification policy's rules, each source's notification sound, Do Not Disturb, retention, how
 * long a claim holds, start at login, theme and the app's own updates.
 * Each change is sent at once; main re-validates it and refuses a bad value with the field named.
 *
 * This module lays the cards out; what the view says of its changes, and its talk with main, are
 * `lib/use-settings-save.ts`.
 */
import type { AppState, SettingsView as Settings, UpdateState } from '../../../shared/ipc';
import { Spinner } from '../components/spinner';
import { useSettingsSave } from '../lib/use-settings-save';
import { AppCard, ClaimsCard, HistoryCard } from './settings-app';
import { DndCard } from './settings-dnd';
import { NotificationsCard } from './settings-notifications';
import { UpdatesCard } from './settings-updates';

/** What the Settings view takes from the app. */
export interface SettingsViewProps {
  state: AppState;
  settings: Settings | null;
  onSettings: (s: Settings) => void;
  /** The app's own updates; null until main has said. */
  update?: UpdateState | null;
}

/** The Settings view: a spinner until the settings load, then its cards under a line saying what was saved. */
export function SettingsView({ state, settings, onSettings, update = null }: SettingsViewProps) {
  const save = useSettingsSave(onSettings);
  if (!settings)
    return (
      <div className="page">
        <Spinner label="Loading settings" />
      </div>
    );
  return (
    <div className="page settings-view">
      <header className="page-header">
        <h1>Settings</h1>
        <p className="muted" aria-live="polite">
          {save.saving ? 'Saving…' : (save.saved ?? '\u00a0')}
        </p>
      </header>
      {save.error && (
        <p className="error-text" role="alert">
          Not saved: {save.error}
        </p>
      )}

      <NotificationsCard settings={settings} sources={state.sources} platform={state.platform} save={save} />
      <DndCard dnd={state.dnd} settings={settings} save={save} />
      <HistoryCard settings={settings} save={save} />
      <ClaimsCard settings={settings} save={save} />
      <AppCard state={state} settings={settings} save={save} />
      <UpdatesCard
        update={update}
        autoUpdate={settings.autoUpdate}
        onToggle={(v) => save.apply({ autoUpdate: v }, v ? 'Automatic updates on' : 'Automatic updates off')}
        onError={save.fail}
      />
    </div>
  );
}
