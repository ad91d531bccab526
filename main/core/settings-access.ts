/**
 * How the core reads and writes settings: the {@link SettingsStore} interface, and {@link MemorySettingsStore}
 * that holds them in memory. The desktop app backs the interface with electron-store and safeStorage
 * (`main/desktop-settings-store.ts`); headless mode with a JSON file read once (`config-file.ts`); tests
 * with memory. The core never reads settings from disk per request: it asks `get()`, which returns the parsed
 * document held in memory.
 */
import type { Settings } from '../../shared/settings';
import { Emitter } from './base/event';

export interface SettingsStore {
  /** The current settings, parsed and defaulted. */
  get(): Settings;
  /** Replaces the settings (already validated by the caller) and notifies subscribers. */
  set(next: Settings): void;
  /** Called after every `set`; returns an unsubscribe function. */
  subscribe(listener: (settings: Settings) => void): () => void;
}

/** A settings store held in memory only: for tests, the e2e harness and headless runs without a file. */
export class MemorySettingsStore implements SettingsStore {
  private settings: Settings;
  private readonly changes = new Emitter<Settings>();

  constructor(initial: Settings) {
    this.settings = initial;
  }

  get(): Settings {
    return this.settings;
  }

  set(next: Settings): void {
    this.settings = next;
    this.changes.fire(next);
  }

  subscribe(listener: (settings: Settings) => void): () => void {
    const sub = this.changes.event(listener);
    return () => sub.dispose();
  }
}
