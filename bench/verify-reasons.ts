// What explaining a failed signature costs (docs/debugging.md): `verify` of a valid delivery, and of one signed
// with another secret, for which every reason is tried (five re-encodings of the JSON, other secrets, other
// encodings of the secret), at body sizes up to the 1 MiB past which re-encodings are not tried.
// Usage: node bench/verify-reasons.ts
import { ultravoxSignature as scheme } from '../src/providers/ultravox/signature.ts';

for (const count of [100, 4_000, 16_000, 40_000]) {
  const items = Array.from({ length: count }, (_, i) => ({
    id: i,
    text: 'lorem ipsum dolor sit amet',
    n: [1, 2, 3],
  }));
  const body = Buffer.from(JSON.stringify({ event: 'call.ended', items }));
  const headers = scheme.sign({ body, secrets: ['right'], timestamp: new Date().toISOString() });
  const size = `${(body.length / 1024).toFixed(0)} KiB`;
  for (const [label, secret] of [
    ['valid', 'right'],
    ['mismatch', 'wrong'],
  ] as const) {
    const runs = 5;
    const started = performance.now();
    for (let i = 0; i < runs; i++) scheme.verify({ body, headers, secrets: [secret] });
    console.log(
      `${size.padStart(9)}  ${label.padEnd(8)}  ${((performance.now() - started) / runs).toFixed(1)} ms`,
    );
  }
}
