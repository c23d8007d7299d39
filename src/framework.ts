// The entry that bin/run.js loads: oclif's `execute`, from the one copy of @oclif/core in the process
// (dist/vendor/oclif.cjs, loaded through src/code-cache.ts), the copy the bundled commands extend, so that its
// class and error checks hold. The plugins are made from their manifests (src/plugins.ts says why).
import { fileURLToPath } from 'node:url';
import { execute as oclifExecute } from '@oclif/core';
import { loadPlugins } from './plugins.ts';

/** Runs the command line; `dir` is the URL of bin/run.js. */
export async function execute({ dir }: { dir: string }): Promise<unknown> {
  // This file is dist/framework.js: the package is its parent directory.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const plugins = loadPlugins(root);
  return plugins ? oclifExecute({ loadOptions: { root, plugins } }) : oclifExecute({ dir });
}
