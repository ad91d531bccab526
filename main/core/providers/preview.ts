/**
 * The setup view's preview of what a source makes of the last body it received: the provider's own
 * `preview` when it has one (the generic provider's JSON-path mapping), else what its `parse` makes of it.
 */
import type { MappingPreview } from '../../../shared/ipc';
import { sourceToCheck } from '../credentials';
import type { PreviewInput, ProviderModule } from './types';

/** The preview for a provider and input; never throws. */
export function previewFor(provider: ProviderModule, input: PreviewInput): MappingPreview {
  if (provider.preview) return provider.preview(input);
  if (input.body === null) return { ok: false, body: null, fields: {}, errors: ['no body has been received for this source yet'] };
  const body = JSON.stringify(input.body, null, 2);
  const rawBody = Buffer.from(JSON.stringify(input.body), 'utf8');
  const result = provider.parse({ source: sourceToCheck(input.source), headers: input.headers, rawBody, json: input.body, now: input.now });
  if (!result.ok) return { ok: false, body, fields: {}, errors: [result.rejection.reason] };
  if (!result.event) return { ok: false, body, fields: {}, errors: [result.note] };
  const e = result.event;
  return {
    ok: true,
    body,
    fields: {
      title: e.title,
      body: e.description,
      url: e.url,
      groupKey: e.groupKey,
      occurrences: e.occurrences,
      environment: e.environment,
    },
    errors: [],
  };
}
