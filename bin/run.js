#!/usr/bin/env node
// Node's compile cache makes every start after the first faster; it is a no-op where unsupported.
import module from 'node:module';
module.enableCompileCache?.();

// A reader that leaves early (`voicehooks get --help | head -3`) is not a failure: stop quietly, as other
// command-line tools do, instead of waiting on a pipe that will never drain.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
const root = new URL('../', import.meta.url);

/** What oclif prints as the version, and in the root help's VERSION section. */
async function userAgent() {
  const { readFileSync } = await import('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  return `voicehooks/${version} ${process.platform}-${process.arch} node-${process.version}`;
}

/**
 * The root help rendered at build time (bin/render-help.js), when it is exactly what oclif would print here:
 * to a pipe (a terminal's width and colours vary), with no setting that changes the layout, and rendered from
 * the manifest in place. Otherwise undefined, and oclif answers.
 */
async function prerenderedHelp() {
  if (process.stdout.isTTY || process.env.OCLIF_COLUMNS || process.env.FORCE_COLOR) return undefined;
  const { readFileSync } = await import('node:fs');
  let cached;
  try {
    cached = JSON.parse(readFileSync(new URL('dist/help.json', root), 'utf8'));
  } catch {
    return undefined; // not built
  }
  const { createHash } = await import('node:crypto');
  const manifest = readFileSync(new URL('oclif.manifest.json', root));
  if (createHash('sha256').update(manifest).digest('hex') !== cached.manifest) return undefined;
  return cached.text.replace('{{VERSION}}', await userAgent());
}

const bare = argv.length === 1 ? argv[0] : undefined;
let text;
if (bare === '--version' || bare === '-v') {
  // Answered without loading the framework: scripts call --version often, and it needs nothing else.
  text = `${await userAgent()}\n`;
} else if (bare === '--help' || bare === 'help') {
  text = await prerenderedHelp();
}
if (text !== undefined) {
  process.stdout.write(text);
} else {
  const { execute } = await import('../dist/framework.js');
  await execute({ dir: import.meta.url });
}
