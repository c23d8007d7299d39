#!/usr/bin/env node
// Build step (after `oclif manifest`): renders the root help exactly as oclif prints it to a pipe, into
// dist/help.json, which bin/run.js prints for a bare `--help` without loading the framework. The version line
// holds a placeholder (it names the Node that runs), and the manifest's hash ties the text to the commands it
// describes: a stale file is ignored, never printed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const file = new URL('../dist/help.json', import.meta.url);
rmSync(file, { force: true }); // so that the run below is oclif's own answer
const env = { ...process.env };
for (const name of ['OCLIF_COLUMNS', 'FORCE_COLOR']) delete env[name];
const run = spawnSync(process.execPath, [new URL('run.js', import.meta.url).pathname, '--help'], {
  encoding: 'utf8',
  env,
});
if (run.status !== 0) throw new Error(`voicehooks --help exited ${run.status}: ${run.stderr}`);
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const agent = `voicehooks/${version} ${process.platform}-${process.arch} node-${process.version}`;
if (!run.stdout.includes(`\n  ${agent}\n`)) throw new Error('the help text has no version line to template');
const manifest = readFileSync(new URL('../oclif.manifest.json', import.meta.url));
writeFileSync(
  file,
  JSON.stringify({
    manifest: createHash('sha256').update(manifest).digest('hex'),
    text: run.stdout.replace(`\n  ${agent}\n`, '\n  {{VERSION}}\n'),
  }),
);
