/**
 * Typed errors the core throws at its edges (start-up, configuration, replay). Each message says what went
 * wrong and how to fix it, because it is shown as-is in the app and printed by headless mode.
 */

/** Base class: `code` is stable for programs, `message` is for people. */
export class CrashbellError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The receiver could not listen where it was asked to. The message says what is wrong in words that hold in
 * every front end; each front end adds how to change it there (Settings in the app, `--port` in headless).
 */
export class ListenError extends CrashbellError {
  readonly port: number;
  readonly host: string;

  constructor(code: string, port: number, host: string, message: string) {
    super(code, message);
    this.port = port;
    this.host = host;
  }
}

/** The receiver's port is taken by another program (or another Crashbell). */
export class PortInUseError extends ListenError {
  constructor(port: number, host = '127.0.0.1') {
    super('port-in-use', port, host, `port ${port} is already in use by another program`);
  }
}

/** The receiver may not bind the port: a privileged port (below 1024 on Linux and macOS) without the right. */
export class PortNotAllowedError extends ListenError {
  constructor(port: number, host: string) {
    super('port-not-allowed', port, host, `this user may not listen on port ${port} (ports below 1024 need special rights)`);
  }
}

/** The address to listen on is not one of this machine's (a mistyped `--host`, an interface that is down). */
export class HostNotAvailableError extends ListenError {
  constructor(port: number, host: string) {
    super('host-not-available', port, host, `${host} is not an address of this machine, so Crashbell cannot listen on it`);
  }
}

/** Who holds a data folder, as far as its lock file tells (see data-dir-lock.ts). */
export interface DataDirHolder {
  pid: number;
  host: string;
  app: string;
  since: string;
}

/**
 * Another Crashbell (another process, or another inbox in this one) holds the data folder: two writers on one
 * history lose what was acknowledged and tear records, so this one does not start.
 */
export class DataDirInUseError extends CrashbellError {
  readonly dir: string;
  readonly holder: DataDirHolder | null;

  constructor(dir: string, holder: DataDirHolder | null) {
    const who =
      holder === null
        ? 'another Crashbell process'
        : `another Crashbell (${holder.app}, process ${holder.pid} on ${holder.host}${holder.since ? `, since ${holder.since}` : ''})`;
    super('data-dir-in-use', `the data folder ${dir} is in use by ${who}: stop that one first, or use another data folder`);
    this.dir = dir;
    this.holder = holder;
  }
}

/** A settings or config file that cannot be used; the message names the file and the problem. */
export class ConfigError extends CrashbellError {
  constructor(message: string) {
    super('config', message);
  }
}

/** A source id that no configured source has. */
export class UnknownSourceError extends CrashbellError {
  constructor(sourceId: string) {
    super('unknown-source', `no source with id "${sourceId}": it may have been removed; reload the source list`);
  }
}

/** A recorded request that cannot be replayed (gone from the log, or its body was not kept whole). */
export class ReplayError extends CrashbellError {
  constructor(message: string) {
    super('replay', message);
  }
}

/** The receiver is not listening (stopped, or never started). */
export class NotListeningError extends CrashbellError {
  constructor() {
    super('not-listening', 'the receiver is not listening right now: it may be moving to another port; try again in a moment');
  }
}

/** A source that cannot be made or saved as given; the message names the field. */
export class InvalidSourceError extends CrashbellError {
  constructor(message: string) {
    super('invalid-source', message);
  }
}

/**
 * A data folder (or the folder holding the app's settings) that Crashbell will not use, or a file in it that it will
 * not open: a folder another user owns or may write, or a link, a non-regular file or another user's file where its
 * own file should be. Anyone who can write the folder can plant a link named like one of Crashbell's files and make
 * it truncate, overwrite or chmod the link's target (any file at all when it runs as root), so it refuses instead.
 */
export class UnsafeDataDirError extends CrashbellError {
  /** The folder concerned. */
  readonly dir: string;
  /** The folder or file that was refused. */
  readonly path: string;

  constructor(dir: string, path: string, message: string) {
    super('data-dir-unsafe', message);
    this.dir = dir;
    this.path = path;
  }
}

/** An error's message (or the thrown value in words), for the reasons and warnings the core gives. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
