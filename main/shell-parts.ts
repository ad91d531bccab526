/**
 * The parts of the shell built late, where the parts built early find them: a notification clicked, a second
 * launch or a tray entry during start-up reaches the window and the engine here once they exist, and does
 * nothing (or says Crashbell is still starting) before.
 */
import type { ViewName } from '../shared/ipc';
import type { Engine } from './core/engine';
import type { WindowLike, WindowManager } from './window';

export class ShellParts {
  engine: Engine | null = null;
  windows: WindowManager | null = null;

  /** Shows (and focuses) the window; nothing before it exists. */
  showWindow(): void {
    void this.windows?.showWindow();
  }

  /** Shows the window on a view (and a group in it). */
  navigate(view: ViewName, groupId?: string): void {
    this.windows?.showAndNavigate(() => this.engine?.service.navigate(view, groupId));
  }

  /** The window pushes go to, while it exists. */
  window(): WindowLike | null {
    return this.windows?.window ?? null;
  }
}
