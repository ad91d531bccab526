/**
 * The provider's mark, wherever a group or a source is shown.
 */
import type { ProviderId } from '../../../shared/events';
import { useProviderLook } from '../lib/providers';

/** The provider's two-letter mark on its colour, both from main's registry. */
export function ProviderBadge({ provider, size = 'md' }: { provider: ProviderId; size?: 'sm' | 'md' }) {
  const look = useProviderLook()(provider);
  return (
    // A style property set through the DOM, which the page's CSP (style-src 'self') allows.
    <span
      className={`provider-badge badge-${size}`}
      style={{ backgroundColor: look.mark.color }}
      title={look.name}
      aria-label={look.name}
      role="img"
    >
      {look.mark.text}
    </span>
  );
}
