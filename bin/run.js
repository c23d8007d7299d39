#!/usr/bin/env node
// Node's compile cache makes every start after the first faster; it is a no-op where unsupported.
import module from 'node:module';
module.enableCompileCache?.();

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
