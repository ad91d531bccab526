/**
 * The provider's mark, wherever a group or a source is shown.
 */
import type { ProviderId } from '../../../shared/events';
import { providerMark, providerName } from '../lib/format';

/** The provider's two-letter mark, coloured per provider. */
export function ProviderBadge({ provider, size = 'md' }: { provider: ProviderId; size?: 'sm' | 'md' }) {
  return (
    <span
      className={`provider-badge provider-${provider} badge-${size}`}
      title={providerName(provider)}
      aria-label={providerName(provider)}
      role="img"
    >
      {providerMark(provider)}
    </span>
  );
}
