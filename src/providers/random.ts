/**
 * A new signing secret: 32 random bytes in the given encoding. node:crypto is loaded here, when a secret is
 * made, rather than with the adapters: loading it is about 12 ms that `get`, `list` and every other command
 * that makes no secret would otherwise pay at start-up.
 */
export async function newSecret(encoding: 'base64' | 'base64url'): Promise<string> {
  const { randomBytes } = await import('node:crypto');
  return randomBytes(32).toString(encoding);
}
