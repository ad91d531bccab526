import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler, RENDERER_URL, resolveAppFile } from '../../main/app-protocol';
import { RENDERER_CSP } from '../../main/window';
import { tmpDataDir } from '../helpers/tmp-dir';

const ROOT = '/opt/Crashbell/resources/app.asar/out/renderer';

describe('resolveAppFile', () => {
  it('maps our URLs to the files under the renderer folder', () => {
    expect(resolveAppFile(RENDERER_URL, ROOT)).toBe(join(ROOT, 'index.html'));
    expect(resolveAppFile('app://crashbell/', ROOT)).toBe(join(ROOT, 'index.html'));
    expect(resolveAppFile('app://crashbell', ROOT)).toBe(join(ROOT, 'index.html'));
    expect(resolveAppFile('app://CRASHBELL/assets/index-abc.js?v=1#x', ROOT)).toBe(join(ROOT, 'assets', 'index-abc.js'));
    expect(resolveAppFile('app://crashbell/assets/a%20b.css', ROOT)).toBe(join(ROOT, 'assets', 'a b.css'));
    // The URL parser folds dot segments before we see them: these stay inside.
    expect(resolveAppFile('app://crashbell/assets/../index.html', ROOT)).toBe(join(ROOT, 'index.html'));
    expect(resolveAppFile('app://crashbell/../../../../etc/passwd', ROOT)).toBe(join(ROOT, 'etc', 'passwd'));
  });

  it.each([
    'app://crashbell/..%2F..%2F..%2Fetc%2Fpasswd',
    'app://crashbell/assets/..%2f..%2fmain%2findex.js',
    'app://crashbell/%2e%2e%2f%2e%2e%2fmain%2findex.js',
    'app://crashbell/a%5C..%5C..%5Cmain',
    'app://crashbell/a\\..\\..\\main',
    'app://crashbell/index.html%00.png',
    'app://crashbell/%E0%A4%A',
    'app://evil/index.html',
    'app:crashbell/index.html',
    'foo://crashbell/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(url, ROOT)).toBeNull();
  });
});

describe('the app:// handler', () => {
  function setup() {
    const root = join(tmpDataDir(), 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Crashbell</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    const fetched: string[] = [];
    // What net.fetch does for a file: URL, with the type it gives by extension.
    const fetchFile = async (fileUrl: string): Promise<Response> => {
      fetched.push(fileUrl);
      const { readFileSync } = await import('node:fs');
      const path = fileURLToPath(fileUrl);
      const type = path.endsWith('.js') ? 'text/javascript' : 'text/html';
      try {
        return new Response(readFileSync(path), { status: 200, headers: { 'Content-Type': type } });
      } catch {
        throw new TypeError('net::ERR_FILE_NOT_FOUND');
      }
    };
    return { handler: createAppProtocolHandler({ root, fetchFile, csp: RENDERER_CSP }), fetched, root };
  }

  it('serves the renderer with the CSP and nosniff on the response', async () => {
    const { handler, fetched, root } = setup();
    const res = await handler(new Request(RENDERER_URL));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Crashbell</title>');
    expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toBe('text/html');
    const js = await handler(new Request('app://crashbell/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript');
    expect(js.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    // Only file: URLs under the renderer folder are ever read.
    for (const url of fetched) expect(fileURLToPath(url).startsWith(root)).toBe(true);
  });

  it('answers 404 for a missing file or a path out of the folder (never reading it), 405 for other methods', async () => {
    const { handler, fetched } = setup();
    expect((await handler(new Request('app://crashbell/nope.js'))).status).toBe(404);
    const before = fetched.length;
    const out = await handler(new Request('app://crashbell/..%2f..%2fetc%2fpasswd'));
    expect(out.status).toBe(404);
    expect(out.headers.get('x-content-type-options')).toBe('nosniff');
    expect(fetched).toHaveLength(before);
    expect((await handler(new Request(RENDERER_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
    const head = await handler(new Request(RENDERER_URL, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('puts the CSP on its refusals too: 404 and 405', async () => {
    const { handler } = setup();
    for (const refused of [
      await handler(new Request('app://crashbell/nope.js')),
      await handler(new Request('app://crashbell/..%2f..%2fetc%2fpasswd')),
      await handler(new Request(RENDERER_URL, { method: 'POST', body: 'x' })),
    ]) {
      expect([404, 405]).toContain(refused.status);
      // Today's 404 and 405 carried no CSP, which the README promises on every response.
      expect(refused.headers.get('content-security-policy')).toBe(RENDERER_CSP);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it.skipIf(process.platform === 'win32')(
    'serves regular files only: a link in the renderer folder, to a file or a folder, is a 404',
    async () => {
      const { handler, fetched, root } = setup();
      const outside = join(tmpDataDir(), 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'secret.txt'), 'not for the renderer');
      symlinkSync(join(outside, 'secret.txt'), join(root, 'linked.txt'));
      symlinkSync(outside, join(root, 'linked-folder'));
      const before = fetched.length;
      for (const url of ['app://crashbell/linked.txt', 'app://crashbell/linked-folder/secret.txt', 'app://crashbell/assets']) {
        const res = await handler(new Request(url));
        // Today's handler followed the link and served the file outside the folder.
        expect(res.status).toBe(404);
        expect(await res.text()).toBe('Not found');
        expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP);
      }
      expect(fetched).toHaveLength(before);
      expect((await handler(new Request('app://crashbell/assets/app.js'))).status).toBe(200);
    },
  );

  it('registers the scheme as standard and secure, never bypassing the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    });
    expect('bypassCSP' in APP_SCHEME_PRIVILEGES.privileges).toBe(false);
  });
});
