// The replica scenario's client (bench/scale/run replica): writes through the API (the primary), reads through the API
// (the read-only endpoints: the replica), and asks the shell for actions on the replica through files in --state.
// Prints one JSON report; exits 1 when a claim does not hold.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') && acc.push([a.slice(2), all[i + 1]]), acc), []));
const base = args.base;
const writes = Number(args.writes ?? 40);
const lagLimitMs = Number(args['lag-limit-ms'] ?? 1000);
const auth = { Authorization: `Apikey ${args.key}` };
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); return ok; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function ask(action) {
  writeFileSync(`${args.state}/${action}.want`, '');
  for (let i = 0; i < 600 && !existsSync(`${args.state}/${action}.done`); i++) await sleep(20);
  check(existsSync(`${args.state}/${action}.done`), `the shell did not ${action} the replica`);
}
async function get(path, headers = {}) {
  const r = await fetch(base + path, { headers, signal: AbortSignal.timeout(10000) });
  return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() };
}
async function listedTotal() {
  const r = await get('/api/v1/datasets?pageSize=1');
  if (r.status !== 200) throw new Error(`GET /api/v1/datasets: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body).total;
}
// The replica's lag as /metrics reports it (smartregion.database.replica_lag), or null when the series is absent.
async function replicaLagMetric() {
  const r = await get('/metrics', { Authorization: `Bearer ${args.operator}` });
  const m = r.body.match(/^smartregion_database_replica_lag_seconds(?:\{[^}]*\})? (\S+)/m);
  return m ? Number(m[1]) : null;
}
let made = 0;
async function createDataset() {
  const id = `replica-probe-${++made}`;
  const r = await fetch(`${base}/api/v1/datasets`, {
    method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id, publisher: args.org, title: `Sonde ${made}`, description: 'd', licence: 'etalab-2.0', visibility: 'public' }),
  });
  if (r.status !== 201) throw new Error(`POST /api/v1/datasets: HTTP ${r.status} ${await r.text()}`);
  return id;
}
// Milliseconds from a write's acknowledgement until the replica-backed list shows `expected` datasets (null: not within limitMs).
async function visibleAfter(expected, t0, limitMs) {
  for (;;) {
    if ((await listedTotal()) >= expected) return performance.now() - t0;
    if (performance.now() - t0 > limitMs) return null;
  }
}

const report = {};
// 1. The API reads from the replica: its health details say so, and the replica has the API's read sessions.
const health = await get('/healthz/ready', { Authorization: `Bearer ${args.operator}` });
const readCheck = JSON.parse(health.body).checks?.['database-read'];
report.readDatabaseHealth = readCheck;
check(health.status === 200 && readCheck?.data?.inRecovery === true, 'readiness details do not show the read database as a replica');
await listedTotal();
await ask('sessions');
report.readSessionsOnReplica = Number(readFileSync(`${args.state}/sessions.out`, 'utf8').trim());
check(report.readSessionsOnReplica >= 1, 'no smartregion-api-read session on the replica');

// 2. Replication lag as the API's readers see it: write, then read the list until the write shows.
let expected = await listedTotal();
const lags = [];
for (let i = 0; i < writes; i++) {
  const id = await createDataset();
  const t0 = performance.now();
  expected++;
  const own = await get(`/api/v1/datasets/${id}`, auth);
  check(own.status === 200, `read-after-write of ${id} on the primary: HTTP ${own.status}`);
  lags.push(await visibleAfter(expected, t0, 10000));
}
const seen = lags.filter((x) => x !== null).sort((a, b) => a - b);
const q = (p) => +seen[Math.min(seen.length - 1, Math.floor(p * seen.length))].toFixed(1);
report.lag = { writes, visibleWithin10s: seen.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: +seen[seen.length - 1].toFixed(1), limitMs: lagLimitMs };
check(seen.length === writes && seen[seen.length - 1] <= lagLimitMs, `a write took longer than ${lagLimitMs} ms to reach the replica's readers`);

// 3. Proof that the list is read on the replica: with its replay paused, a new dataset is on the primary (its own page)
//    and not in the list; resumed, it shows.
await ask('pause');
const paused = await createDataset();
expected++;
const pausedOwn = await get(`/api/v1/datasets/${paused}`, auth);
await sleep(1000);
const whilePaused = await listedTotal();
const lagWhilePaused = await replicaLagMetric();
await ask('resume');
const t1 = performance.now();
const afterResume = await visibleAfter(expected, t1, 10000);
report.replayPaused = { ownPageOnPrimary: pausedOwn.status, listedWhilePaused: whilePaused, expected, visibleMsAfterResume: afterResume && +afterResume.toFixed(1) };
check(pausedOwn.status === 200 && whilePaused === expected - 1 && afterResume !== null, 'the list did not come from the paused replica');
// The metric an operator alerts on: ≥ 1 s while replay is paused a second after a write, back to 0 once replayed
// (/metrics takes a new snapshot at most every 5 s, hence the wait).
await sleep(5500);
const lagAfterResume = await replicaLagMetric();
report.replicaLagMetric = { whilePausedS: lagWhilePaused, afterResumeS: lagAfterResume };
check(lagWhilePaused !== null && lagWhilePaused >= 1 && lagAfterResume === 0, 'smartregion_database_replica_lag_seconds did not show the paused replay, or did not come back to 0');

// 4. Records of a published version through the replica, and a solar-free catalogue export (DCAT) too.
const dataset = await createDataset();
expected++;
const csv = 'n;commune;valeur\n' + Array.from({ length: 500 }, (_, i) => `${i + 1};Saint-Denis;${i % 97},5`).join('\n') + '\n';
const up = await fetch(`${base}/api/v1/datasets/${dataset}/versions?fileName=probe.csv`, { method: 'POST', headers: auth, body: csv });
const version = (await up.json()).version;
let status;
for (let i = 0; i < 600 && status !== 'ready' && status !== 'failed'; i++) {
  status = JSON.parse((await get(`/api/v1/datasets/${dataset}/versions/${version}`, auth)).body).status;
  if (status !== 'ready') await sleep(100);
}
const pub = await fetch(`${base}/api/v1/datasets/${dataset}/versions/${version}/publish`, { method: 'POST', headers: auth });
const t2 = performance.now();
let records;
for (;;) {
  records = await get(`/api/v1/datasets/${dataset}/records?limit=5`);
  if (records.status === 200 || performance.now() - t2 > 10000) break;
}
report.records = { upload: status, publish: pub.status, recordsStatus: records.status, msAfterPublish: +(performance.now() - t2).toFixed(1), numberMatched: records.status === 200 ? JSON.parse(records.body).numberMatched : null };
check(pub.status === 200 && records.status === 200 && report.records.numberMatched === 500, 'records of the published version not read back');

// 5. The replica stops: reads go on from the primary (prefer-standby falls back); count what clients saw meanwhile.
await ask('stop');
const during = {};
const tStop = performance.now();
let fallbackMs = null;
while (performance.now() - tStop < 5000) {
  const r = await get('/api/v1/datasets?pageSize=1');
  during[r.status] = (during[r.status] ?? 0) + 1;
  if (r.status === 503) check(r.retryAfter !== null, '503 without Retry-After while the replica stopped');
  check(r.status === 200 || r.status === 503, `HTTP ${r.status} while the replica stopped`);
  if (r.status === 200 && fallbackMs === null) fallbackMs = performance.now() - tStop;
  await sleep(50);
}
await createDataset();
expected++;
const afterStop = await listedTotal();
const healthAfter = JSON.parse((await get('/healthz/ready', { Authorization: `Bearer ${args.operator}` })).body);
report.replicaStopped = { readsByStatus: during, firstOkMs: fallbackMs && +fallbackMs.toFixed(1), newWriteListed: afterStop === expected,
  readiness: healthAfter.status, readDatabase: healthAfter.checks?.['database-read']?.data };
check(afterStop === expected && healthAfter.status === 'up', 'reads did not fall back to the primary once the replica stopped');

report.failures = failures;
console.log(JSON.stringify(report, null, 2));
process.exit(failures.length ? 1 : 0);
