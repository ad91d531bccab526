/** Settings' Do Not Disturb card: where it stands, one hour or until tomorrow morning, and daily quiet hours. */
import type { AppState, SettingsView as Settings } from '../../../shared/ipc';
import { setDnd } from '../api';
import { TimeField } from '../components/commit-fields';
import { Toggle } from '../components/toggle';
import { dndLabel, TOMORROW_HOUR } from '../lib/dnd';
import type { SettingsSave } from '../lib/use-settings-save';
import { useNow } from '../lib/use-now';

/** When "until tomorrow" ends, as the buttons say it. */
const TOMORROW_CLOCK = `${String(TOMORROW_HOUR).padStart(2, '0')}:00`;

/** What the Do Not Disturb card shows and changes. */
export interface DndCardProps {
  dnd: AppState['dnd'];
  settings: Settings;
  save: SettingsSave;
}

/** The Do Not Disturb card. */
export function DndCard({ dnd, settings, save }: DndCardProps) {
  const now = useNow();
  const qw = settings.dnd.quietWindow;
  return (
    <section className="card" aria-labelledby="dnd-heading">
      <div className="card-head">
        <h2 id="dnd-heading">Do Not Disturb</h2>
        <span className={`status-pill tone-${dnd.active ? 'busy' : 'off'}`}>{dndLabel(dnd, settings.dnd, now)}</span>
      </div>
      <div className="button-row" role="group" aria-label="Do Not Disturb">
        <button type="button" className="btn" onClick={() => save.report(setDnd('1h'), 'Do Not Disturb for 1 hour')}>
          For 1 hour
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => save.report(setDnd('tomorrow'), `Do Not Disturb until tomorrow ${TOMORROW_CLOCK}`)}
        >
          Until tomorrow {TOMORROW_CLOCK}
        </button>
        <button type="button" className="btn" disabled={!dnd.until} onClick={() => save.report(setDnd('off'), 'Do Not Disturb off')}>
          Turn off
        </button>
      </div>
      <p className="muted small">“Until tomorrow” lasts until the next {TOMORROW_CLOCK}, local time.</p>
      <Toggle
        label="Daily quiet hours"
        hint="Errors are recorded during quiet hours; nothing notifies."
        checked={qw.enabled}
        onChange={(v) => save.apply({ dnd: { quietWindow: { ...qw, enabled: v } } })}
      />
      <div className="form-grid">
        <TimeField label="Quiet from" value={qw.start} onCommit={(v) => save.apply({ dnd: { quietWindow: { ...qw, start: v } } })} />
        <TimeField label="Quiet until" value={qw.end} onCommit={(v) => save.apply({ dnd: { quietWindow: { ...qw, end: v } } })} />
      </div>
    </section>
  );
}
