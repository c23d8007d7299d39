// The yardstick for `list`: the least a program can do to fetch every page of Ultravox webhooks, in sequence,
// with undici, and print them. `voicehooks list --json` is measured against this.
// Usage: node bench/fetch-pages.ts BASE_URL API_KEY
import { request } from 'undici';

const [base, key] = process.argv.slice(2);
let url: string | null = `${base}/api/webhooks?pageSize=100`;
const all: unknown[] = [];
while (url) {
  const response = await request(url, { headers: { 'x-api-key': key ?? '' } });
  const page = (await response.body.json()) as { results: unknown[]; next: string | null };
  all.push(...page.results);
  url = page.next;
}
process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
