import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };

/**
 * Builds the Electron-free core entries for plain Node: headless mode and the benchmark.
 * Dependencies stay external (they are installed), except the pure-JS ones headless start-up loads
 * first (bundled: one file reads faster than hundreds); node built-ins stay external too.
 */
export default defineConfig({
  // `crashbell --version` (main/core/headless/version.ts).
  define: { __CRASHBELL_VERSION__: JSON.stringify(version) },
  // Bundled rather than loaded file by file: zod's many modules were most of headless start-up time.
  ssr: { noExternal: ['zod', 'ua-parser-js'] },
  build: {
    outDir: 'out/headless',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    ssr: true,
    rollupOptions: {
      input: {
        headless: resolve(import.meta.dirname, 'main/core/headless/entry.ts'),
        bench: resolve(import.meta.dirname, 'scripts/bench.ts'),
      },
      output: { format: 'esm', entryFileNames: '[name].js' },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
    },
  },
});
