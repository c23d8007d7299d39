// The floor for `get`: one GET with Node's own node:https and no connection pool (`agent: false`), the body
// printed as it came. Plain JavaScript, so that Node spends nothing on stripping types.
// Usage: node bench/https-get.mjs URL API_KEY
import { get } from 'node:https';

const [url, key] = process.argv.slice(2);
get(url, { agent: false, headers: { 'x-api-key': key } }, (response) => {
  if (response.statusCode !== 200) process.exitCode = 1;
  response.pipe(process.stdout);
}).on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
