// The peer: DuckDB loads our file (untimed), writes the same rows with the same codec and row group size (timed, twice:
// first and second run in the same process, as for ours), and reads both files back (timed, twice).
//   node duckdb.mjs OURS.parquet DUCK.parquet CODEC ROW_GROUP_ROWS  → JSON
import { DuckDBInstance } from '@duckdb/node-api';

const [ours, theirs, codec, rowGroupRows] = process.argv.slice(2);
const db = await (await DuckDBInstance.create(':memory:')).connect();
await db.run('SET enable_geoparquet_conversion = false');
await db.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${ours}')`);
// Wall seconds and CPU seconds (all threads): on a shared machine CPU time is the steadier of the two.
const time = async sql => {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await db.run(sql);
  const c = process.cpuUsage(c0);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (c.user + c.system) / 1e6 };
};
const twice = async sql => ({ first: await time(sql), second: await time(sql) });
const write = await twice(`COPY t TO '${theirs}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${rowGroupRows})`);
const readOurs = await twice(`CREATE OR REPLACE TABLE r1 AS SELECT * FROM read_parquet('${ours}')`);
const readTheirs = await twice(`CREATE OR REPLACE TABLE r2 AS SELECT * FROM read_parquet('${theirs}')`);
const one = async sql => (await db.runAndReadAll(sql)).getRowObjectsJson()[0];
const rowsDiffering = (await one(`SELECT count(*)::INT AS n FROM (SELECT * FROM r1 EXCEPT SELECT * FROM r2)`)).n;
const threads = (await one(`SELECT current_setting('threads')::INT AS t`)).t;
// Like with like: which columns each file dictionary-encodes, and how many row groups each has.
const layout = async file => one(`SELECT
    (SELECT string_agg(DISTINCT path_in_schema, ',' ORDER BY path_in_schema) FROM parquet_metadata('${file}') WHERE encodings LIKE '%DICTIONARY%') AS dictionary,
    (SELECT count(DISTINCT row_group_id)::INT FROM parquet_metadata('${file}')) AS rowGroups`);
console.log(JSON.stringify({ write, readOurs, readTheirs, rowsDiffering, threads, layoutOurs: await layout(ours), layoutTheirs: await layout(theirs) }));
