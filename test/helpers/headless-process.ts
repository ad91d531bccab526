/**
 * The built headless process as tests drive it: spawned with the bundle vitest's global setup built
 * (`inject('headlessEntry')`), its stdout split into lines, with waits bounded by the test's own timeout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** A spawned headless process with its stdout split into lines. */
export class HeadlessProcess {
  /** Stdout lines as printed. */
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        this.lines.push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      this.wake();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.wake();
        resolve({ code, signal });
      }),
    );
  }

  /**
   * Starts `node <entry> ...args`. A developer's NGROK_AUTHTOKEN is left out: a test never opens a real tunnel.
   */
  static start(entry: string, args: string[], env: NodeJS.ProcessEnv = process.env): HeadlessProcess {
    const { NGROK_AUTHTOKEN: _token, ...rest } = env;
    return new HeadlessProcess(spawn(process.execPath, [entry, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: rest }));
  }

  /** Every stdout line parsed as JSON (throws if one is not: --json promises only JSON lines). */
  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Waits for a JSON line matching the predicate and returns it. */
  waitFor(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return this.waitUntil(() => this.json().find(predicate));
  }

  /** Waits until the JSON lines so far satisfy the predicate (e.g. a count of `received` lines). */
  async waitForAll(predicate: (lines: Array<Record<string, unknown>>) => boolean): Promise<void> {
    await this.waitUntil(() => (predicate(this.json()) ? true : undefined));
  }

  /** Waits until the stdout lines so far (as printed, JSON or not) satisfy the predicate. */
  async waitUntilLines(predicate: (lines: readonly string[]) => boolean): Promise<void> {
    await this.waitUntil(() => (predicate(this.lines) ? true : undefined));
  }

  /** Waits for a human-mode line containing the text. */
  waitForText(text: string): Promise<string> {
    return this.waitUntil(() => this.lines.find((l) => l.includes(text)));
  }

  /** Kills it with SIGKILL if it still runs, and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private async waitUntil<T>(found: () => T | undefined): Promise<T> {
    for (;;) {
      const value = found();
      if (value !== undefined) return value;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`headless exited (${this.child.exitCode ?? this.child.signalCode}): ${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
