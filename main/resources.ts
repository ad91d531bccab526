/** Files shipped beside the app (icons): `resources/` when packaged, `build/` in development. */
import { join } from 'node:path';
import { app } from './electron';
import type { TrayIconKind } from './tray';

/** A file shipped beside the app. */
export function resourcePath(...parts: string[]): string {
  return app.isPackaged ? join(process.resourcesPath, ...parts) : join(app.getAppPath(), 'build', ...parts);
}

/** The tray icon for a state (Linux takes one larger image; macOS and Windows pick @2x themselves). */
export function trayIconPath(kind: TrayIconKind): string {
  return resourcePath('tray', process.platform === 'linux' ? `linux-${kind}.png` : `${kind}.png`);
}

/** The app's icon, which notifications and the Linux window show. */
export function appIconPath(): string {
  return resourcePath('icon.png');
}
