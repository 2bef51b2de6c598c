// An open-loop HTTP load: requests start at a fixed rate whatever the answers (a slow server is not let off by its own
// slowness), each with a deadline. Writes one JSON line per request and prints a summary. Node 20, no dependencies.
//
//   node load.mjs --base http://127.0.0.1:8080 --rate 50 --duration 30 --paths /a,/b [--header 'Authorization: Apikey …']
//                 [--timeout-ms 10000] [--out requests.jsonl]
import { writeFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const base = args.base;
const rate = Number(args.rate ?? 50);
const durationS = Number(args.duration ?? 30);
const timeoutMs = Number(args['timeout-ms'] ?? 10000);
const paths = (args.paths ?? '/healthz/ready').split(',');
const headers = {};
if (args.header) {
  const i = args.header.indexOf(':');
  headers[args.header.slice(0, i).trim()] = args.header.slice(i + 1).trim();
}

const results = [];
const started = Date.now();
const total = Math.round(rate * durationS);
let sent = 0;

async function one(n) {
  const path = paths[n % paths.length];
  const t0 = performance.now();
  const at = Date.now();
  try {
    const response = await fetch(base + path, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    const record = { at, path, status: response.status, ms: performance.now() - t0, retryAfter: response.headers.get('retry-after') };
    if (response.status >= 500) record.body = body.slice(0, 300);
    results.push(record);
  } catch (error) {
    results.push({ at, path, status: 0, ms: performance.now() - t0, error: error.name === 'TimeoutError' ? 'timeout' : String(error.cause?.code ?? error.message) });
  }
}

const inflight = [];
await new Promise((resolve) => {
  const tick = () => {
    // Catch up on the schedule (timers drift under load), never ahead of it.
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
    while (sent < due) inflight.push(one(sent++));
    if (sent >= total) return resolve();
    setTimeout(tick, Math.max(1, 1000 / rate / 2));
  };
  tick();
});
await Promise.all(inflight);

results.sort((a, b) => a.at - b.at);
if (args.out) writeFileSync(args.out, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
const ms = results.filter((r) => r.status > 0).map((r) => r.ms).sort((a, b) => a - b);
const q = (p) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] : null);
const byStatus = {};
for (const r of results) byStatus[r.status === 0 ? r.error : r.status] = (byStatus[r.status === 0 ? r.error : r.status] ?? 0) + 1;
const wallS = (Date.now() - started) / 1000;
console.log(JSON.stringify({
  requests: results.length, ratePerS: +(results.length / wallS).toFixed(1), byStatus,
  p50Ms: q(0.5) && +q(0.5).toFixed(1), p99Ms: q(0.99) && +q(0.99).toFixed(1), maxMs: ms.length ? +ms[ms.length - 1].toFixed(1) : null,
}));
