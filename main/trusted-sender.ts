/**
 * Who may call main over IPC: only our own window's top frame, showing our own renderer. A compromised or
 * navigated frame (an iframe, a page that somehow loaded elsewhere) is refused before any handler runs.
 */
import { APP_SCHEME } from './app-protocol';

/** What an IPC event tells about its sender; Electron's `IpcMainInvokeEvent` satisfies it. */
export interface SenderEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** Where the trusted renderer lives and which webContents shows it. */
export interface TrustPolicy {
  /** The id of our main window's webContents, or null before it exists (then nothing is trusted). */
  webContentsId(): number | null;
  /** The renderer's URL: `app://crashbell/index.html` packaged (app-protocol.ts), the electron-vite dev server in dev. */
  rendererUrl: string;
}

export type TrustVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a frame URL is our renderer: for our `app:` scheme the same host (the handler serves nothing else), for
 * `file:` the very same file (query and hash ignored), for a dev server (`http:`) the same origin.
 */
export function isRendererUrl(frameUrl: string, rendererUrl: string): boolean {
  let frame: URL;
  let expected: URL;
  try {
    frame = new URL(frameUrl);
    expected = new URL(rendererUrl);
  } catch {
    return false;
  }
  if (frame.protocol !== expected.protocol) return false;
  // Not URL.origin: Node says "null" for a scheme it does not know, and keeps the host's case (Chromium lowers it).
  if (expected.protocol === `${APP_SCHEME}:`) return frame.host.toLowerCase() === expected.host.toLowerCase() && frame.host !== '';
  if (expected.protocol === 'file:') return frame.host === expected.host && frame.pathname === expected.pathname;
  if (expected.protocol === 'http:' || expected.protocol === 'https:') return frame.origin === expected.origin;
  return false;
}

/** Checks one IPC event against the policy. */
export function checkSender(event: SenderEvent, policy: TrustPolicy): TrustVerdict {
  const expectedId = policy.webContentsId();
  if (expectedId === null) return { ok: false, reason: 'no Crashbell window is open' };
  if (event.sender.id !== expectedId) return { ok: false, reason: 'the sender is not the Crashbell window' };
  const frame = event.senderFrame;
  if (!frame) return { ok: false, reason: 'the sending frame is gone' };
  if (frame.parent !== null && frame.parent !== undefined) return { ok: false, reason: 'the sender is not the top frame' };
  if (!isRendererUrl(frame.url, policy.rendererUrl)) return { ok: false, reason: 'the sending page is not the Crashbell renderer' };
  return { ok: true };
}
