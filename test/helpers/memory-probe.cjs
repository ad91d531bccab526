/**
 * Loaded into a spawned Crashbell (`node -r test/helpers/memory-probe.cjs …`) by the memory tests: on SIGUSR2 it
 * runs a full garbage collection and prints what stays allocated, as one line on stderr:
 * `crashbell-memory-probe {"heapUsed":…,"arrayBuffers":…,"external":…,"rss":…}` (bytes). What survives a full
 * collection is what the process retains; the peak RSS (VmHWM) is read by the test from /proc.
 */
const { setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

process.on('SIGUSR2', () => {
  gc();
  gc();
  const { heapUsed, arrayBuffers, external, rss } = process.memoryUsage();
  process.stderr.write(`crashbell-memory-probe ${JSON.stringify({ heapUsed, arrayBuffers, external, rss })}\n`);
});
