/**
 * A real `nats-server` (Debian's, on PATH) for the relay's tests: started with JetStream on free loopback
 * ports in a temp folder, stopped by its PID, every wait bounded. One server or a three-node JetStream
 * cluster. `.ci/run` installs nats-server; without it the relay suites are skipped and say so, and under
 * CI=true they fail (see {@link natsServerFor}).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when nats-server can be run here. */
export function hasNatsServer(): boolean {
  try {
    execFileSync('nats-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a relay suite can run: true when nats-server is on PATH. When it is not, says that `suite` is skipped
 * (as the e2e suite says of a missing Chromium), and under CI=true adds a failing test, since CI must run it.
 */
export function natsServerFor(suite: string): boolean {
  if (hasNatsServer()) return true;
  const inCi = process.env['CI'] === 'true';
  console.warn(
    `[relay] nats-server not found on PATH: ${suite} ${inCi ? 'FAILING (CI=true requires them)' : 'SKIPPED'}. ` +
      'Install Debian\'s "nats-server" package (apt-get install nats-server), as .ci/run does.',
  );
  if (inCi) {
    describe('relay prerequisites under CI', () => {
      it('needs nats-server', () => {
        expect.fail(`CI=true but nats-server is not on PATH: .ci/run must install Debian's nats-server package (${suite})`);
      });
    });
  }
  return false;
}

/** A free TCP port on 127.0.0.1 (bound and released; good enough for tests on one machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface NatsOptions {
  /** Extra server configuration (authorization blocks...); the listen address and JetStream are added. */
  config?: string;
  /** Cluster settings for one node of a cluster. */
  cluster?: { name: string; serverName: string; port: number; routes: number[] };
  /** Keep this folder (a restart of the same node). */
  dir?: string;
  port?: number;
}

/** One nats-server process. */
export class NatsServer {
  private child: ChildProcess | null = null;
  log = '';
  /** Everything the server printed since it started (the log above keeps only its tail); bounded at 4 MB. */
  private fullLog = '';
  private readonly logWaiters = new Set<() => void>();

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: NatsOptions,
  ) {}

  /** Starts a server (waits for "Server is ready", at most 15 s). */
  static async start(options: NatsOptions = {}): Promise<NatsServer> {
    const port = options.port ?? (await freePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'crashbell-nats-'));
    const server = new NatsServer(port, dir, options);
    await server.spawn();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Waits (bounded by the test's timeout) until the server's log so far satisfies `test`. */
  waitForLog(test: (log: string) => boolean): Promise<void> {
    if (test(this.fullLog)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = (): void => {
        if (!test(this.fullLog)) return;
        this.logWaiters.delete(waiter);
        resolve();
      };
      this.logWaiters.add(waiter);
    });
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  private configText(): string {
    const lines = [
      `listen: 127.0.0.1:${this.port}`,
      // In the file, not only -js on the command line: a reload without it would shut JetStream down.
      `jetstream { store_dir: "${join(this.dir, 'store')}", max_file_store: 8G, max_memory_store: 64M }`,
    ];
    const c = this.options.cluster;
    if (c) {
      lines.push(`server_name: ${c.serverName}`);
      lines.push(
        `cluster { name: ${c.name}, listen: 127.0.0.1:${c.port}, routes: [${c.routes.map((p) => `nats://127.0.0.1:${p}`).join(', ')}] }`,
      );
    }
    if (this.options.config) lines.push(this.options.config);
    return `${lines.join('\n')}\n`;
  }

  private spawn(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const conf = join(this.dir, 'server.conf');
    writeFileSync(conf, this.configText());
    const child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.log = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server on ${this.port} not ready in 15 s:\n${this.log}`)), 15_000);
      const onData = (d: Buffer): void => {
        this.log = (this.log + d.toString()).slice(-20_000);
        if (this.fullLog.length < 4_000_000) this.fullLog += d.toString();
        for (const w of [...this.logWaiters]) w();
        if (this.log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`nats-server on ${this.port} exited (${code ?? signal}):\n${this.log}`));
      });
    });
  }

  /** Stops it by PID (SIGTERM by default, SIGKILL for a crash) and waits for it to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.pid !== undefined) process.kill(child.pid, signal);
    const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  /** Starts it again on the same port and store (after `stop`). */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  /** Stops it and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A three-node JetStream cluster on loopback. */
export class NatsCluster {
  private constructor(readonly nodes: NatsServer[]) {}

  static async start(size = 3): Promise<NatsCluster> {
    const clientPorts: number[] = [];
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
    }
    const nodes = await Promise.all(
      clientPorts.map((port, i) =>
        NatsServer.start({
          port,
          cluster: {
            name: 'crashbell-test',
            serverName: `n${i + 1}`,
            port: routePorts[i] as number,
            routes: routePorts.filter((_, j) => j !== i),
          },
        }),
      ),
    );
    return new NatsCluster(nodes);
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.destroy()));
  }
}

/** True when openssl can be run here (for the TLS cases). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A private CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`: what a team
 * with its own CA hands its NATS server. EC keys, so it takes milliseconds.
 */
export function makeTestCa(dir: string): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const f = (name: string): string => join(dir, name);
  const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Crashbell test CA']);
  run(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
  ]);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}
