// The entry that bin/run.js loads: oclif's `execute`, from the one copy of @oclif/core in the process
// (dist/vendor/oclif.cjs, loaded through src/code-cache.ts), the copy the bundled commands extend, so that its
// class and error checks hold.
export { execute } from '@oclif/core';
