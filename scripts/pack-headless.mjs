#!/usr/bin/env node
/**
 * `npm run pack:headless`: builds Crashbell's headless mode as an installable npm package, a tarball that
 * `npm install -g` takes, with a `crashbell` command (`crashbell serve --config FILE`, `crashbell --version`, the
 * verbs) and only what it runs on: the headless bundle (vite.headless.config.ts, without the benchmark) and the
 * packages that bundle really imports, carried in the tarball (bundleDependencies) exactly as this repository's
 * package-lock.json installed them, down to their own dependencies, so installing it fetches nothing but ngrok's
 * native binary for the platform. No Electron, React, Vite or test tool is in it.
 *
 *   node scripts/pack-headless.mjs [--out DIR]      (default out/pack; prints the tarball's path last)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The installed package's name: its command is `crashbell`. */
export const PACKAGE_NAME = 'crashbell-headless';

/**
 * Imported packages the package installs from the registry rather than carrying: ngrok's native binary comes in a
 * package per platform, which npm picks at install time. Optional: a platform without one (or an install without
 * the registry) still gets a working Crashbell, whose tunnel says it cannot load ngrok.
 */
const OPTIONAL = new Set(['@ngrok/ngrok']);

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((f) => join(name, f)) : [name];
  });
}

/**
 * The packages a built bundle loads at run time: its static and dynamic imports, and what it loads through
 * `createRequire(...)(...)`, reduced to package names; Node's own modules left out.
 * @param {string} code
 * @returns {string[]}
 */
export function importedPackages(code) {
  const specifiers = [
    ...code.matchAll(/\bfrom\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\bimport\s*["']([^"']+)["']/g),
    ...code.matchAll(/\brequire\s*\)?\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/createRequire\([^)]*\)\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]);
  const names = specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !BUILTINS.has(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
  return [...new Set(names)].sort();
}

/**
 * Where package-lock.json put each package that `names` need, and everything those need in turn, resolved the way
 * Node resolves it (the package's own node_modules first, then its parents'): paths such as
 * `node_modules/@nats-io/nats-core`, from the project's root. Optional dependencies that were not installed are left
 * out; a missing required one is an error.
 * @param {{ packages: Record<string, any> }} lock
 * @param {string[]} names
 * @returns {string[]}
 */
export function lockClosure(lock, names) {
  const all = lock.packages;
  const find = (name, from) => {
    for (let base = from; ; ) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (all[candidate]) return candidate;
      if (!base) return null;
      const up = base.lastIndexOf('/node_modules/');
      base = up < 0 ? '' : base.slice(0, up);
    }
  };
  const found = new Set();
  const queue = names.map((name) => ({ name, from: '', optional: false }));
  while (queue.length > 0) {
    const { name, from, optional } = queue.shift();
    const path = find(name, from);
    if (path === null) {
      if (optional) continue;
      throw new Error(`package-lock.json has no ${name} (needed by ${from || 'the package'}): run npm install first`);
    }
    if (found.has(path)) continue;
    found.add(path);
    const entry = all[path];
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push({ name: dep, from: path, optional: false });
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push({ name: dep, from: path, optional: true });
    for (const dep of Object.keys(entry.peerDependencies ?? {})) {
      queue.push({ name: dep, from: path, optional: Boolean(optionalPeers[dep]?.optional) });
    }
  }
  return [...found].sort();
}

/** A short README for the installed package. */
function packageReadme(version) {
  return `# Crashbell headless ${version}

Crashbell's receiver without a window: crash-monitoring webhooks verified, grouped and stored, with notifications
as JSON lines, a command, ntfy, and the team relay (NATS JetStream) for a gateway or a member.

\`\`\`sh
crashbell serve --config /etc/crashbell/gateway.json --data-dir /var/lib/crashbell --json
crashbell list --data-dir /var/lib/crashbell          # commands act on the running Crashbell of that folder
crashbell --help                                      # every option, command and config block
\`\`\`

Built from the Crashbell repository with \`npm run pack:headless\`; its README ("Headless mode") and
docs/team-relay.md (a gateway on Debian with systemd) say the rest.
`;
}

/**
 * Builds the package into `outDir` and returns the tarball's path.
 * @param {string} outDir
 * @returns {string}
 */
export function packHeadless(outDir) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const stage = join(outDir, 'stage');
  rmSync(stage, { recursive: true, force: true });
  const bundle = join(stage, 'out', 'headless');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'vite.headless.config.ts',
      '--logLevel',
      'error',
      '--outDir',
      bundle,
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // The benchmark is a development tool (it loads autocannon), and source maps point at sources not shipped.
  for (const file of filesUnder(bundle)) {
    if (file.endsWith('.map') || /^bench\.js$/.test(file)) rmSync(join(bundle, file));
  }

  const imported = importedPackages(
    filesUnder(bundle)
      .map((f) => readFileSync(join(bundle, f), 'utf8'))
      .join('\n'),
  );
  const dependencies = {};
  const optionalDependencies = {};
  for (const name of imported) {
    const version = pkg.dependencies?.[name];
    if (!version) {
      throw new Error(
        `the headless bundle imports ${name}, which is not among package.json's dependencies: make it one, or bundle it (vite.headless.config.ts)`,
      );
    }
    if (OPTIONAL.has(name)) optionalDependencies[name] = version;
    else dependencies[name] = version;
  }
  // The bundled packages, at the paths and versions package-lock.json installed, with what they need in turn.
  for (const path of lockClosure(lock, Object.keys(dependencies))) {
    cpSync(join(root, path), join(stage, path), { recursive: true });
  }

  const manifest = {
    name: PACKAGE_NAME,
    version: pkg.version,
    description: "Crashbell's webhook receiver without a window: a gateway for the team relay, a server, a terminal.",
    license: pkg.license,
    homepage: pkg.homepage,
    author: pkg.author,
    type: 'module',
    bin: { crashbell: 'bin/crashbell.js' },
    engines: pkg.engines,
    dependencies,
    bundleDependencies: Object.keys(dependencies),
    optionalDependencies,
  };
  mkdirSync(join(stage, 'bin'), { recursive: true });
  writeFileSync(join(stage, 'bin', 'crashbell.js'), "#!/usr/bin/env node\nimport '../out/headless/headless.js';\n");
  chmodSync(join(stage, 'bin', 'crashbell.js'), 0o755);
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(stage, 'README.md'), packageReadme(pkg.version));

  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
      cwd: stage,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  return join(outDir, packed[0].filename);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = resolve(at > 0 && process.argv[at + 1] ? process.argv[at + 1] : join(root, 'out', 'pack'));
  mkdirSync(outDir, { recursive: true });
  const tarball = packHeadless(outDir);
  process.stderr.write(`crashbell: packed ${tarball}; install it with: npm install -g ${tarball}\n`);
  process.stdout.write(`${tarball}\n`);
}
