/**
 * Settings' History, Claims and App cards: how much history is kept, how long a claim holds, start at login, the
 * theme, and which Crashbell this is.
 */
import type { AppState, SettingsView as Settings } from '../../../shared/ipc';
import { THEMES, type Theme } from '../../../shared/themes';
import { NumberField } from '../components/commit-fields';
import { Toggle } from '../components/toggle';
import type { SettingsSave } from '../lib/use-settings-save';

/** Retention: the most groups kept and for how long. */
export function HistoryCard({ settings, save }: { settings: Settings; save: SettingsSave }) {
  return (
    <section className="card" aria-labelledby="retention-heading">
      <h2 id="retention-heading">History</h2>
      <div className="form-grid">
        <NumberField
          label="Keep at most this many error groups"
          value={settings.retention.maxGroups}
          min={1}
          step={100}
          onCommit={(v) => save.apply({ retention: { maxGroups: v } })}
        />
        <NumberField
          label="Keep errors for this many days"
          value={settings.retention.maxDays}
          min={1}
          step={1}
          onCommit={(v) => save.apply({ retention: { maxDays: v } })}
        />
      </div>
      <p className="muted small">The oldest errors are pruned first.</p>
    </section>
  );
}

/** How long a claim ("ana is on it") holds unless released or the error is resolved. */
export function ClaimsCard({ settings, save }: { settings: Settings; save: SettingsSave }) {
  return (
    <section className="card" aria-labelledby="claims-heading">
      <h2 id="claims-heading">Claims</h2>
      <div className="form-grid">
        <NumberField
          label="A claim holds for this many hours"
          value={settings.claimHours}
          min={1}
          step={1}
          onCommit={(v) => save.apply({ claimHours: v }, `Claims now hold for ${v} h`)}
        />
      </div>
      <p className="muted small">
        Claim an error in its detail to tell the team you are on it. The claim ends when you release it, when the error is resolved, or
        after this long (a week at most).
      </p>
    </section>
  );
}

/** The app itself: start at login, the theme, and its version and platform. */
export function AppCard({ state, settings, save }: { state: AppState; settings: Settings; save: SettingsSave }) {
  return (
    <section className="card" aria-labelledby="app-heading">
      <h2 id="app-heading">App</h2>
      <Toggle label="Start Crashbell at login" checked={settings.startAtLogin} onChange={(v) => save.apply({ startAtLogin: v })} />
      <label className="field field-inline">
        <span>Theme</span>
        <select aria-label="Theme" value={settings.theme} onChange={(e) => save.apply({ theme: e.currentTarget.value as Theme })}>
          {THEMES.map((t) => (
            <option key={t} value={t}>
              {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
            </option>
          ))}
        </select>
      </label>
      <p className="muted small">
        Crashbell {state.version} on {state.platform}.
      </p>
    </section>
  );
}
