/**
 * The generic provider's field mapping as the window edits it: read from a source's stored config, written back
 * (optional paths left empty are omitted), and checked before it is sent. Main re-validates what it receives.
 */

/** The generic provider's config as the setup view edits it (flat keys, as main stores them). */
export interface MappingConfig {
  titlePath: string;
  groupKeyPath: string;
  bodyPath: string;
  urlPath: string;
  occurrencesPath: string;
  environmentPath: string;
  verification: 'none' | 'hmac' | 'standard-webhooks';
  signatureHeader: string;
  signatureEncoding: 'hex' | 'base64';
  signaturePrefix: string;
}

/** A stored value that should be a string, or '' when it is not. */
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Reads a stored config into the editor's shape (missing keys become empty). */
export function mappingFromConfig(config: Record<string, unknown>): MappingConfig {
  const verification = str(config['verification']);
  return {
    titlePath: str(config['titlePath']),
    groupKeyPath: str(config['groupKeyPath']),
    bodyPath: str(config['bodyPath']),
    urlPath: str(config['urlPath']),
    occurrencesPath: str(config['occurrencesPath']),
    environmentPath: str(config['environmentPath']),
    verification: verification === 'hmac' || verification === 'standard-webhooks' ? verification : 'none',
    signatureHeader: str(config['signatureHeader']),
    signatureEncoding: config['signatureEncoding'] === 'base64' ? 'base64' : 'hex',
    signaturePrefix: str(config['signaturePrefix']),
  };
}

/** The config to store: optional paths left empty are omitted; signature fields only for HMAC. */
export function configFromMapping(m: MappingConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { titlePath: m.titlePath.trim(), groupKeyPath: m.groupKeyPath.trim(), verification: m.verification };
  for (const k of ['bodyPath', 'urlPath', 'occurrencesPath', 'environmentPath'] as const) if (m[k].trim()) out[k] = m[k].trim();
  if (m.verification === 'hmac') {
    out['signatureHeader'] = m.signatureHeader.trim();
    out['signatureEncoding'] = m.signatureEncoding;
    out['signaturePrefix'] = m.signaturePrefix;
  }
  return out;
}

/** The first problem with a mapping before it is sent, or null. */
export function mappingProblem(m: MappingConfig): string | null {
  if (!m.titlePath.trim()) return 'Map the title: a JSON path such as $.error.message.';
  if (!m.groupKeyPath.trim()) return 'Map the group key: a JSON path such as $.error.id.';
  if (m.verification === 'hmac' && !m.signatureHeader.trim()) return 'HMAC verification needs the header that carries the signature.';
  return null;
}

/** A mapping with nothing filled in (a new generic source). */
export const EMPTY_MAPPING: MappingConfig = mappingFromConfig({});
