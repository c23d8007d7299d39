/**
 * Which hosts are loopback: the only ones plain http is allowed to, and the ones no proxy is used for. A module
 * of its own, without imports, because the bundled HTTP stack (src/undici.ts) needs it too.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Loopback hosts: the only ones plain http and https-only exceptions are allowed for. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
