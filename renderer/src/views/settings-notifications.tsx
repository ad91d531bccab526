/** Settings' Notifications card: the policy's rules, pausing every source, and each source's sound. */
import type { NotificationSound } from '../../../shared/events';
import type { PolicySettings } from '../../../shared/settings';
import type { SettingsView as Settings, SourceView } from '../../../shared/ipc';
import { updateSource } from '../api';
import { NumberField, TextField } from '../components/commit-fields';
import { Toggle } from '../components/toggle';
import { parseMilestones } from '../lib/milestones';
import { soundChoices, soundLabel } from '../lib/sounds';
import type { SettingsSave } from '../lib/use-settings-save';

/** What the Notifications card shows and changes. */
export interface NotificationsCardProps {
  settings: Settings;
  sources: SourceView[];
  platform: string;
  save: SettingsSave;
}

/** The Notifications card. */
export function NotificationsCard({ settings, sources, platform, save }: NotificationsCardProps) {
  const p = settings.policy;
  const policy = (patch: Partial<PolicySettings>) => save.apply({ policy: patch });
  return (
    <section className="card" aria-labelledby="policy-heading">
      <h2 id="policy-heading">Notifications</h2>
      <Toggle label="Notify for a new error group" checked={p.notifyNewGroups} onChange={(v) => policy({ notifyNewGroups: v })} />
      <Toggle
        label="Notify on Errorception’s first occurrence"
        hint="When Errorception says the error happened for the very first time."
        checked={p.notifyFirstOccurrence}
        onChange={(v) => policy({ notifyFirstOccurrence: v })}
      />
      <Toggle
        label="Notify when a resolved error comes back"
        checked={p.notifyOnRegression}
        onChange={(v) => policy({ notifyOnRegression: v })}
      />
      <div className="form-grid">
        <NumberField
          label="Notify again after this many hours of quiet (0: never)"
          value={p.quietHours}
          min={0}
          step={1}
          onCommit={(v) => policy({ quietHours: v })}
        />
        <TextField
          label="Occurrence milestones"
          hint="A group notifies when its occurrences cross one of these."
          value={p.milestones.join(', ')}
          onCommit={(text) => {
            const m = parseMilestones(text);
            if (!m.ok) save.fail(`policy.milestones: ${m.error}`);
            else policy({ milestones: m.value });
          }}
        />
        <NumberField
          label="Storm control: at most this many notifications"
          value={p.stormLimit}
          min={1}
          step={1}
          onCommit={(v) => policy({ stormLimit: v })}
        />
        <NumberField
          label="…per this many seconds (then one digest)"
          value={p.stormWindowSeconds}
          min={1}
          step={1}
          onCommit={(v) => policy({ stormWindowSeconds: v })}
        />
      </div>
      <Toggle
        label="Pause all sources"
        hint="Errors are still recorded; nothing notifies."
        checked={settings.pausedAll}
        onChange={(v) => save.apply({ pausedAll: v })}
      />
      {sources.length > 0 && (
        <SourceSounds
          sources={sources}
          platform={platform}
          onChoose={(s, sound) => save.report(updateSource(s.id, { sound }), `Saved: ${s.name}’s sound`)}
        />
      )}
    </section>
  );
}

/** Each source's notification sound, saved as it is chosen. */
function SourceSounds({
  sources,
  platform,
  onChoose,
}: {
  sources: SourceView[];
  platform: string;
  onChoose: (source: SourceView, sound: NotificationSound) => void;
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
            <select value={s.sound ?? 'default'} onChange={(e) => onChoose(s, e.currentTarget.value as NotificationSound)}>
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
