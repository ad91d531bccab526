import { describe, expect, it } from 'vitest';
import { configFromMapping, EMPTY_MAPPING, mappingFromConfig, mappingProblem } from '../../../../renderer/src/lib/mapping';

describe('mapping config', () => {
  it('round-trips the stored config and drops empty optional paths', () => {
    const m = mappingFromConfig({ titlePath: '$.t', groupKeyPath: '$.id', urlPath: '', verification: 'hmac', signatureHeader: 'x-sig' });
    expect(configFromMapping(m)).toEqual({
      titlePath: '$.t',
      groupKeyPath: '$.id',
      verification: 'hmac',
      signatureHeader: 'x-sig',
      signatureEncoding: 'hex',
      signaturePrefix: '',
    });
    expect(mappingProblem(EMPTY_MAPPING)).toMatch(/title/);
    expect(mappingProblem({ ...m, signatureHeader: ' ' })).toMatch(/header/);
  });

  it('reads what is not a string, or an unknown verification, as empty or none; HMAC details only for HMAC', () => {
    const m = mappingFromConfig({ titlePath: 7, verification: 'rsa', signatureEncoding: 'base64', signatureHeader: 'x-sig' });
    expect(m).toMatchObject({ titlePath: '', verification: 'none', signatureEncoding: 'base64' });
    expect(configFromMapping({ ...m, titlePath: ' $.t ', groupKeyPath: '$.id', bodyPath: ' $.b ' })).toEqual({
      titlePath: '$.t',
      groupKeyPath: '$.id',
      bodyPath: '$.b',
      verification: 'none',
    });
    expect(mappingProblem({ ...EMPTY_MAPPING, titlePath: '$.t' })).toMatch(/group key/);
    expect(mappingProblem({ ...EMPTY_MAPPING, titlePath: '$.t', groupKeyPath: '$.id' })).toBeNull();
  });
});
