import { execFileSync } from 'node:child_process';

/** Builds the headless bundle once, so tests can spawn the same code a user runs. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.headless.config.ts', '--logLevel', 'error'], {
    stdio: 'inherit',
  });
}
