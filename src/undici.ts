// undici's public API, the parts voicehooks uses. This file is the entry of the undici bundle
// (scripts/build.ts: dist/vendor/undici.cjs, loaded with the code cache of src/code-cache.ts), so that every
// module that sends a request shares one copy, loaded only by the commands that send one.
export { EnvHttpProxyAgent, request } from 'undici';
