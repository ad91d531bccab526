/** What the Team relay card knows of a relay that is on: who, which stream, how far behind, what was forwarded. */
import type { RelayState } from '../../../shared/events';
import { relativeTime } from '../lib/format';
import { duplicatesText, lagText } from '../lib/relay';
import { useNow } from '../lib/use-now';

/** The relay's facts as a description list; the lag and last event for a subscriber, the counts for a gateway. */
export function RelayFacts({ relay }: { relay: RelayState }) {
  const now = useNow();
  const lag = lagText(relay);
  const lastEvent = relay.subscriber?.lastEventAt ?? null;
  const gateway = relay.gateway;
  return (
    <dl className="facts relay-facts">
      <div>
        <dt>Member</dt>
        <dd>{relay.member}</dd>
      </div>
      <div>
        <dt>Stream</dt>
        <dd className="mono">{relay.stream}</dd>
      </div>
      {relay.subscriber && (
        <>
          <div>
            <dt>Lag</dt>
            <dd>{lag ?? 'Not known yet'}</dd>
          </div>
          <div>
            <dt>Last event</dt>
            <dd>{lastEvent ? relativeTime(lastEvent, now) : 'None yet'}</dd>
          </div>
        </>
      )}
      {gateway && (
        <div>
          <dt>Forwarded</dt>
          <dd>
            {gateway.forwarded} forwarded, {gateway.pending} waiting
            {gateway.lastForwardedAt ? ` (last ${relativeTime(gateway.lastForwardedAt, now)})` : ''}
            {gateway.duplicates > 0 ? `; ${duplicatesText(gateway.duplicates)}` : ''}
          </dd>
        </div>
      )}
    </dl>
  );
}
