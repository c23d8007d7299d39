// The entry that bin/run.js loads: oclif from the bundle, the very copy the bundled commands extend (one
// @oclif/core in the process, so its class and error checks hold).
export { execute } from '@oclif/core';
