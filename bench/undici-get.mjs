// For comparison with `get`: the same one GET with undici's `request`, the body printed as it came.
// Usage: node bench/undici-get.mjs URL API_KEY
import { request } from 'undici';

const [url, key] = process.argv.slice(2);
const response = await request(url, { headers: { 'x-api-key': key } });
if (response.statusCode !== 200) process.exitCode = 1;
process.stdout.write(await response.body.text());
