/**
 * Theme: the window follows the system (prefers-color-scheme) unless the user picks light or dark.
 * CSS does the work through a `data-theme` attribute on <html>; "system" removes it.
 */
import type { Theme } from '../../../shared/settings';

/** Applies the theme setting to the document. */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}
