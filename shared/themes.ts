/**
 * The window's themes. Kept apart from the settings schema so the renderer can import the list without
 * pulling the schema library into its bundle.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
