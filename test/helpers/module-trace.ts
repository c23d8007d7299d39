// Loaded with `node --import`, it records every module the process loads and prints their specifiers to
// stderr at exit, so a test can prove which heavy dependencies a command does not load.
import { registerHooks } from 'node:module';

const loaded = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    loaded.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  process.stderr.write(`\n[modules] ${JSON.stringify([...loaded])}\n`);
});
