#!/usr/bin/env node
// Built-in modules are taken with process.getBuiltinModule, not `import()`: an ESM import of a built-in builds a
// facade that reads every export, and `import('node:fs')` loads streams, fs/promises and readline with it, a
// fifth of what `--version` costs (issue 18).
const builtin = (name) => process.getBuiltinModule(name);

// A reader that leaves early (`voicehooks get --help | head -3`) is not a failure: stop quietly, as other
// command-line tools do, instead of waiting on a pipe that will never drain.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// The dependencies need these versions (see `engines` in package.json); older ones fail deep inside them.
const [major, minor] = process.versions.node.split('.').map(Number);
if (
  major < 22 ||
  (major === 22 && minor < 22) ||
  (major === 24 && minor < 15) ||
  major === 23 ||
  major === 25
) {
  process.stderr.write(
    `Error: voicehooks needs Node.js 22.22 or newer (24.15 or newer on 24); this is ${process.version}.\n`,
  );
  process.exit(1);
}

const argv = process.argv.slice(2);
const root = new URL('../', import.meta.url);

/** What oclif prints as the version, and in the root help's VERSION section. */
function userAgent() {
  const { readFileSync } = builtin('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  return `voicehooks/${version} ${process.platform}-${process.arch} node-${process.version}`;
}

/**
 * The root help rendered at build time (bin/render-help.js), when it is exactly what oclif would print here:
 * to a pipe (a terminal's width and colours vary), with no setting that changes the layout, and rendered from
 * the manifest in place. Otherwise undefined, and oclif answers.
 */
function prerenderedHelp() {
  if (process.stdout.isTTY || process.env.OCLIF_COLUMNS || process.env.FORCE_COLOR) return undefined;
  const { readFileSync } = builtin('node:fs');
  let cached;
  try {
    cached = JSON.parse(readFileSync(new URL('dist/help.json', root), 'utf8'));
  } catch {
    return undefined; // not built
  }
  const { createHash } = builtin('node:crypto');
  const manifest = readFileSync(new URL('oclif.manifest.json', root));
  if (createHash('sha256').update(manifest).digest('hex') !== cached.manifest) return undefined;
  return cached.text.replace('{{VERSION}}', userAgent());
}

const bare = argv.length === 1 ? argv[0] : undefined;
let text;
if (bare === '--version' || bare === '-v') {
  // Answered without loading the framework: scripts call --version often, and it needs nothing else.
  text = `${userAgent()}\n`;
} else if (bare === '--help' || bare === 'help') {
  text = prerenderedHelp();
}
if (text !== undefined) {
  process.stdout.write(text);
} else {
  // Node's compile cache makes every start after the first faster (a no-op where unsupported). Turned on here,
  // for the framework and the commands: the answers above need no more than this file.
  builtin('node:module').enableCompileCache?.();
  let framework;
  try {
    framework = await import('../dist/framework.js');
  } catch (error) {
    // A checkout run before its build: say what to do, not a module-loader stack trace.
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('framework.js');
    if (!missing) throw error;
    const { fileURLToPath } = builtin('node:url');
    process.stderr.write(
      `Error: voicehooks is not built: run \`npm run build\` in ${fileURLToPath(root)} (after \`npm ci\`).\n`,
    );
    process.exit(1);
  }
  await framework.execute({ dir: import.meta.url });
}
