/**
 * Settings: the notification policy's rules, each source's notification sound, Do Not Disturb, retention, start
 * at login, theme and the app's own updates.
 * Each change is sent at once; main re-validates it and refuses a bad value with the field named.
 */
import { useEffect, useState } from 'react';
import { NOTIFICATION_SOUNDS, type NotificationSound } from '../../../shared/events';
import type { AppState, SettingsPatch, SettingsView as Settings, SourceView, UpdateState } from '../../../shared/ipc';
import { THEMES, type Theme } from '../../../shared/themes';
import { checkForUpdates, errorMessage, installUpdate, setDnd, updateSettings, updateSource } from '../api';
import { Spinner } from '../components/spinner';
import { Toggle } from '../components/toggle';
import { dndLabel, TOMORROW_HOUR } from '../lib/dnd';
import { absoluteTime } from '../lib/format';
import { updateSummary } from '../lib/updates';
import { useNow } from '../lib/use-now';

/** Parses "10, 100, 1000" into milestones; null names the bad entry. */
export function parseMilestones(text: string): { ok: true; value: number[] } | { ok: false; error: string } {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p.replace(/_/g, ''));
    if (!Number.isInteger(n) || n <= 0) return { ok: false, error: `“${p}” is not a positive whole number` };
    out.push(n);
  }
  return { ok: true, value: [...new Set(out)].sort((a, b) => a - b) };
}

export interface SettingsViewProps {
  state: AppState;
  settings: Settings | null;
  onSettings: (s: Settings) => void;
  /** The app's own updates; null until main has said. */
  update?: UpdateState | null;
}

export function SettingsView({ state, settings, onSettings, update = null }: SettingsViewProps) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const now = useNow();

  if (!settings)
    return (
      <div className="page">
        <Spinner label="Loading settings" />
      </div>
    );

  const apply = (patch: SettingsPatch, done = 'Saved') => {
    setSaving(true);
    setError(null);
    updateSettings(patch).then(
      (s) => {
        setSaving(false);
        onSettings(s);
        setSaved(done);
      },
      (err) => {
        setSaving(false);
        setSaved(null);
        setError(errorMessage(err));
      },
    );
  };
  const p = settings.policy;
  const qw = settings.dnd.quietWindow;

  return (
    <div className="page settings-view">
      <header className="page-header">
        <h1>Settings</h1>
        <p className="muted" aria-live="polite">
          {saving ? 'Saving…' : (saved ?? '\u00a0')}
        </p>
      </header>
      {error && (
        <p className="error-text" role="alert">
          Not saved: {error}
        </p>
      )}

      <section className="card" aria-labelledby="policy-heading">
        <h2 id="policy-heading">Notifications</h2>
        <Toggle
          label="Notify for a new error group"
          checked={p.notifyNewGroups}
          onChange={(v) => apply({ policy: { notifyNewGroups: v } })}
        />
        <Toggle
          label="Notify on Errorception’s first occurrence"
          hint="When Errorception says the error happened for the very first time."
          checked={p.notifyFirstOccurrence}
          onChange={(v) => apply({ policy: { notifyFirstOccurrence: v } })}
        />
        <Toggle
          label="Notify when a resolved error comes back"
          checked={p.notifyOnRegression}
          onChange={(v) => apply({ policy: { notifyOnRegression: v } })}
        />
        <div className="form-grid">
          <NumberField
            label="Notify again after this many hours of quiet (0: never)"
            value={p.quietHours}
            min={0}
            step={1}
            onCommit={(v) => apply({ policy: { quietHours: v } })}
          />
          <TextField
            label="Occurrence milestones"
            hint="A group notifies when its occurrences cross one of these."
            value={p.milestones.join(', ')}
            onCommit={(text) => {
              const m = parseMilestones(text);
              if (!m.ok) setError(`policy.milestones: ${m.error}`);
              else apply({ policy: { milestones: m.value } });
            }}
          />
          <NumberField
            label="Storm control: at most this many notifications"
            value={p.stormLimit}
            min={1}
            step={1}
            onCommit={(v) => apply({ policy: { stormLimit: v } })}
          />
          <NumberField
            label="…per this many seconds (then one digest)"
            value={p.stormWindowSeconds}
            min={1}
            step={1}
            onCommit={(v) => apply({ policy: { stormWindowSeconds: v } })}
          />
        </div>
        <Toggle
          label="Pause all sources"
          hint="Errors are still recorded; nothing notifies."
          checked={settings.pausedAll}
          onChange={(v) => apply({ pausedAll: v })}
        />
        {state.sources.length > 0 && (
          <SourceSounds
            sources={state.sources}
            platform={state.platform}
            onSaved={(name) => setSaved(`Saved: ${name}’s sound`)}
            onError={(e) => setError(e)}
          />
        )}
      </section>

      <section className="card" aria-labelledby="dnd-heading">
        <div className="card-head">
          <h2 id="dnd-heading">Do Not Disturb</h2>
          <span className={`status-pill tone-${state.dnd.active ? 'busy' : 'off'}`}>{dndLabel(state.dnd, settings.dnd, now)}</span>
        </div>
        <div className="button-row" role="group" aria-label="Do Not Disturb">
          <button
            type="button"
            className="btn"
            onClick={() =>
              setDnd('1h').then(
                () => setSaved('Do Not Disturb for 1 hour'),
                (e) => setError(errorMessage(e)),
              )
            }
          >
            For 1 hour
          </button>
          <button
            type="button"
            className="btn"
            onClick={() =>
              setDnd('tomorrow').then(
                () => setSaved(`Do Not Disturb until tomorrow ${String(TOMORROW_HOUR).padStart(2, '0')}:00`),
                (e) => setError(errorMessage(e)),
              )
            }
          >
            Until tomorrow {String(TOMORROW_HOUR).padStart(2, '0')}:00
          </button>
          <button
            type="button"
            className="btn"
            disabled={!state.dnd.until}
            onClick={() =>
              setDnd('off').then(
                () => setSaved('Do Not Disturb off'),
                (e) => setError(errorMessage(e)),
              )
            }
          >
            Turn off
          </button>
        </div>
        <p className="muted small">“Until tomorrow” lasts until the next {String(TOMORROW_HOUR).padStart(2, '0')}:00, local time.</p>
        <Toggle
          label="Daily quiet hours"
          hint="Errors are recorded during quiet hours; nothing notifies."
          checked={qw.enabled}
          onChange={(v) => apply({ dnd: { quietWindow: { ...qw, enabled: v } } })}
        />
        <div className="form-grid">
          <TimeField label="Quiet from" value={qw.start} onCommit={(v) => apply({ dnd: { quietWindow: { ...qw, start: v } } })} />
          <TimeField label="Quiet until" value={qw.end} onCommit={(v) => apply({ dnd: { quietWindow: { ...qw, end: v } } })} />
        </div>
      </section>

      <section className="card" aria-labelledby="retention-heading">
        <h2 id="retention-heading">History</h2>
        <div className="form-grid">
          <NumberField
            label="Keep at most this many error groups"
            value={settings.retention.maxGroups}
            min={1}
            step={100}
            onCommit={(v) => apply({ retention: { maxGroups: v } })}
          />
          <NumberField
            label="Keep errors for this many days"
            value={settings.retention.maxDays}
            min={1}
            step={1}
            onCommit={(v) => apply({ retention: { maxDays: v } })}
          />
        </div>
        <p className="muted small">The oldest errors are pruned first.</p>
      </section>

      <section className="card" aria-labelledby="app-heading">
        <h2 id="app-heading">App</h2>
        <Toggle label="Start Crashbell at login" checked={settings.startAtLogin} onChange={(v) => apply({ startAtLogin: v })} />
        <label className="field field-inline">
          <span>Theme</span>
          <select aria-label="Theme" value={settings.theme} onChange={(e) => apply({ theme: e.currentTarget.value as Theme })}>
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

      <UpdatesCard
        update={update}
        autoUpdate={settings.autoUpdate}
        onToggle={(v) => apply({ autoUpdate: v }, v ? 'Automatic updates on' : 'Automatic updates off')}
        onError={setError}
      />
    </div>
  );
}

/** The app's own updates: the setting, where they stand, "Check now", and "Restart to update" when one waits. */
function UpdatesCard({
  update,
  autoUpdate,
  onToggle,
  onError,
}: {
  update: UpdateState | null;
  autoUpdate: boolean;
  onToggle: (on: boolean) => void;
  onError: (message: string) => void;
}) {
  const [asking, setAsking] = useState(false);
  const summary = update ? updateSummary(update, absoluteTime) : null;
  // A copy that cannot update (run from source, the deb) says why; the switch would change nothing.
  const cannot = update?.status === 'disabled' && update.by !== 'setting';
  const busy = update?.status === 'checking' || update?.status === 'available' || update?.status === 'downloading';
  const checkNow = () => {
    setAsking(true);
    checkForUpdates().then(
      () => setAsking(false),
      (err) => {
        setAsking(false);
        onError(errorMessage(err));
      },
    );
  };
  return (
    <section className="card" aria-labelledby="updates-heading">
      <div className="card-head">
        <h2 id="updates-heading">Updates</h2>
        {summary && <span className={`status-pill tone-${summary.tone}`}>{summary.label}</span>}
      </div>
      <Toggle
        label="Check for updates automatically"
        hint="At start and once a day, from Crashbell’s releases on GitHub, over HTTPS. A new version downloads in the background and installs when you restart."
        checked={autoUpdate}
        disabled={cannot}
        onChange={onToggle}
      />
      {summary?.detail && (
        <p className={update?.status === 'error' ? 'error-text' : 'muted small'} aria-live="polite">
          {summary.detail}
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          className="btn"
          disabled={!update || update.status === 'disabled' || update.status === 'ready' || busy || asking}
          onClick={checkNow}
        >
          {asking || update?.status === 'checking' ? 'Checking…' : 'Check now'}
        </button>
        {update?.status === 'ready' && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => installUpdate().catch((err: unknown) => onError(errorMessage(err)))}
          >
            Restart to update
          </button>
        )}
      </div>
    </section>
  );
}

/** A number input that commits on blur or Enter, so typing "1" on the way to "100" saves nothing. */
/** What each sound choice is called; named sounds are macOS's own and only play there. */
export function soundLabel(sound: NotificationSound, platform: string): string {
  if (sound === 'default') return 'System default';
  if (sound === 'silent') return 'Silent';
  return platform === 'darwin' ? sound : `${sound} (macOS; the default sound here)`;
}

/** The sounds worth offering: all on macOS; elsewhere default and silent (and a named one already chosen on a Mac). */
export function soundChoices(platform: string, current: NotificationSound): NotificationSound[] {
  if (platform === 'darwin') return [...NOTIFICATION_SOUNDS];
  return current === 'default' || current === 'silent' ? ['default', 'silent'] : ['default', 'silent', current];
}

/** Each source's notification sound, saved as it is chosen. */
function SourceSounds({
  sources,
  platform,
  onSaved,
  onError,
}: {
  sources: SourceView[];
  platform: string;
  onSaved: (name: string) => void;
  onError: (message: string) => void;
}) {
  return (
    <fieldset className="sounds">
      <legend>Sound, per source</legend>
      {platform !== 'darwin' && (
        <p className="muted small">This system plays its own notification sound: a source can keep it or be silent. macOS offers more.</p>
      )}
      <div className="form-grid">
        {sources.map((s) => (
          <label key={s.id} className="field">
            <span>{s.name}</span>
            <select
              value={s.sound ?? 'default'}
              onChange={(e) => {
                const sound = e.currentTarget.value as NotificationSound;
                updateSource(s.id, { sound }).then(
                  () => onSaved(s.name),
                  (err) => onError(errorMessage(err)),
                );
              }}
            >
              {soundChoices(platform, s.sound ?? 'default').map((sound) => (
                <option key={sound} value={sound}>
                  {soundLabel(sound, platform)}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function NumberField({
  label,
  value,
  min,
  step,
  onCommit,
}: {
  label: string;
  value: number;
  min: number;
  step: number;
  onCommit: (v: number) => void;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) {
      setText(String(value));
      return;
    }
    if (n !== value) onCommit(n);
  };
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="numeric"
        min={min}
        step={step}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </label>
  );
}

function TextField({ label, hint, value, onCommit }: { label: string; hint?: string; value: string; onCommit: (v: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = () => text !== value && onCommit(text);
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="text"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {hint && <span className="muted small">{hint}</span>}
    </label>
  );
}

function TimeField({ label, value, onCommit }: { label: string; value: string; onCommit: (v: string) => void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="time"
        value={value}
        onChange={(e) => e.currentTarget.value && e.currentTarget.value !== value && onCommit(e.currentTarget.value)}
      />
    </label>
  );
}
