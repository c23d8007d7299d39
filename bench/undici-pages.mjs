// The yardstick for `list`: the least a program can do to fetch every page of Ultravox webhooks, in sequence,
// with undici, and print them. `voicehooks list --json` is measured against this. Plain JavaScript, so that
// Node spends nothing on stripping types. Usage: node bench/undici-pages.mjs BASE_URL API_KEY
import { request } from 'undici';

const [base, key] = process.argv.slice(2);
let url = `${base}/api/webhooks?pageSize=100`;
const all = [];
while (url) {
  const response = await request(url, { headers: { 'x-api-key': key ?? '' } });
  const page = await response.body.json();
  all.push(...page.results);
  url = page.next;
}
process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
