// The peer: DuckDB loads our file (untimed), writes the same rows with the same codec (timed), and reads both back (timed).
//   node duckdb.mjs OURS.parquet DUCK.parquet CODEC  → JSON
import { DuckDBInstance } from '@duckdb/node-api';

const [ours, theirs, codec] = process.argv.slice(2);
const db = await (await DuckDBInstance.create(':memory:')).connect();
await db.run('SET enable_geoparquet_conversion = false');
await db.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${ours}')`);
const time = async sql => { const t0 = process.hrtime.bigint(); await db.run(sql); return Number(process.hrtime.bigint() - t0) / 1e9; };
const write = await time(`COPY t TO '${theirs}' (FORMAT parquet, COMPRESSION ${codec})`);
const readOurs = await time(`CREATE OR REPLACE TABLE r1 AS SELECT * FROM read_parquet('${ours}')`);
const readTheirs = await time(`CREATE OR REPLACE TABLE r2 AS SELECT * FROM read_parquet('${theirs}')`);
const same = (await db.runAndReadAll(`SELECT count(*)::INT AS n FROM (SELECT * FROM r1 EXCEPT SELECT * FROM r2)`)).getRowObjectsJson()[0].n;
const threads = (await db.runAndReadAll(`SELECT current_setting('threads')::INT AS t`)).getRowObjectsJson()[0].t;
console.log(JSON.stringify({ write, readOurs, readTheirs, rowsDiffering: same, threads }));
