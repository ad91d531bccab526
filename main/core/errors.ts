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

/** The receiver's port is taken by another program (or another Crashbell). */
export class PortInUseError extends CrashbellError {
  readonly port: number;

  constructor(port: number) {
    super('port-in-use', `port ${port} is in use: choose another port in Settings or pass --port 0`);
    this.port = port;
  }
}

/** The receiver may not bind the port (a privileged port, or a host address this machine does not have). */
export class PortNotAllowedError extends CrashbellError {
  readonly port: number;

  constructor(port: number, host: string, detail: string) {
    super('port-not-allowed', `cannot listen on ${host}:${port} (${detail}): choose a port above 1023 in Settings or pass --port 0`);
    this.port = port;
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
    super('not-listening', 'the receiver is not listening: start it again (check the port in Settings)');
  }
}

/** A source that cannot be made or saved as given; the message names the field. */
export class InvalidSourceError extends CrashbellError {
  constructor(message: string) {
    super('invalid-source', message);
  }
}
