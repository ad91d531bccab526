import { describe, expect, it } from 'vitest';
import { checkSender, isRendererUrl, type SenderEvent, type TrustPolicy } from '../../main/trusted-sender';

const RENDERER = 'file:///opt/Crashbell/resources/app.asar/out/renderer/index.html';
const trust: TrustPolicy = { webContentsId: () => 7, rendererUrl: RENDERER };
const good: SenderEvent = { sender: { id: 7 }, senderFrame: { url: `${RENDERER}#/errors`, parent: null } };

describe('trusted sender', () => {
  it('accepts only our window, top frame, showing our renderer file', () => {
    expect(checkSender(good, trust)).toEqual({ ok: true });
    expect(checkSender({ ...good, sender: { id: 8 } }, trust)).toEqual({ ok: false, reason: 'the sender is not the Crashbell window' });
    expect(checkSender({ ...good, senderFrame: null }, trust)).toMatchObject({ ok: false });
    expect(checkSender({ ...good, senderFrame: { url: RENDERER, parent: {} } }, trust)).toEqual({
      ok: false,
      reason: 'the sender is not the top frame',
    });
    expect(checkSender({ ...good, senderFrame: { url: 'https://evil.example/', parent: null } }, trust)).toEqual({
      ok: false,
      reason: 'the sending page is not the Crashbell renderer',
    });
    expect(checkSender(good, { ...trust, webContentsId: () => null })).toEqual({ ok: false, reason: 'no Crashbell window is open' });
  });

  it('matches the dev server by origin and the packaged file by path', () => {
    expect(isRendererUrl('http://localhost:5173/#/setup', 'http://localhost:5173/')).toBe(true);
    expect(isRendererUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isRendererUrl('file:///tmp/other.html', RENDERER)).toBe(false);
    expect(isRendererUrl('file:///opt/Crashbell/resources/app.asar/out/renderer/index.html?x=1', RENDERER)).toBe(true);
    expect(isRendererUrl('not a url', RENDERER)).toBe(false);
  });
});

describe('trusted sender with the renderer on app://crashbell', () => {
  const appTrust: TrustPolicy = { webContentsId: () => 7, rendererUrl: 'app://crashbell/index.html' };
  const frame = (url: string): SenderEvent => ({ sender: { id: 7 }, senderFrame: { url, parent: null } });

  it('accepts our scheme and host, whatever the path, query, hash or host case', () => {
    for (const url of [
      'app://crashbell/index.html',
      'app://crashbell/index.html#/errors',
      'app://CRASHBELL/index.html?x=1',
      'app://crashbell/',
    ]) {
      expect(checkSender(frame(url), appTrust), url).toEqual({ ok: true });
    }
  });

  it('refuses another host, another scheme with our host, a file and the dev server', () => {
    for (const url of [
      'app://evil/index.html',
      'foo://crashbell/index.html',
      'file:///opt/Crashbell/index.html',
      'http://crashbell/',
      'app:crashbell',
      'app:///index.html',
    ]) {
      expect(checkSender(frame(url), appTrust), url).toEqual({ ok: false, reason: 'the sending page is not the Crashbell renderer' });
    }
  });
});
