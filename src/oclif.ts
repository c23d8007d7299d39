// The parts of @oclif/core that voicehooks uses, from the package's public subpath exports. This file is the
// entry of the oclif bundle (scripts/build.ts: dist/vendor/oclif.cjs, loaded with the code cache of
// src/code-cache.ts), which every `import … from '@oclif/core'` in src/ resolves to. The package's main entry
// would load more at every start: all of its parts, and semver with them for a check of Node's version that
// voicehooks's own `engines` already makes.
export * as Args from '@oclif/core/args';
export { Command } from '@oclif/core/command';
export { execute } from '@oclif/core/execute';
export * as Flags from '@oclif/core/flags';
export { loadHelpClass } from '@oclif/core/help';
