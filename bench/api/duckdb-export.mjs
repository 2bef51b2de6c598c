// DuckDB's side of bench/api, never downloading anything (autoinstall off):
//   node duckdb-export.mjs probe                  → exit 0 when DuckDB's postgres extension loads offline, else 3 with the reason
//   node duckdb-export.mjs postgres CONN SQL OUT  → DuckDB reads SQL's rows from PostgreSQL itself and writes OUT (Parquet, SNAPPY)
//   node duckdb-export.mjs csv CSV OUT            → the rows PostgreSQL wrote as CSV (geometry as WKB hex) to OUT
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, ...args] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
const con = await db.connect();
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
if (mode === 'probe') {
  try {
    await con.run('LOAD postgres');
    console.log('DuckDB postgres extension: loaded');
  } catch (e) {
    console.log(`DuckDB postgres extension: not available offline (${e.message.split('\n')[0]})`);
    process.exit(3);
  }
} else if (mode === 'postgres') {
  const [conn, sql, out] = args;
  await con.run('LOAD postgres');
  await con.run(`ATTACH ${quote(conn)} AS pg (TYPE postgres, READ_ONLY)`);
  await con.run(`COPY (SELECT * FROM postgres_query('pg', ${quote(sql)})) TO ${quote(out)} (FORMAT parquet, COMPRESSION snappy)`);
} else if (mode === 'csv') {
  const [csv, out] = args;
  await con.run(`COPY (SELECT column0 AS id, column1 AS name, column2 AS commune, column3 AS value, column4 AS day,
                        from_hex(column5) AS geom
                 FROM read_csv(${quote(csv)}, header = false, columns = {'column0': 'BIGINT', 'column1': 'VARCHAR', 'column2': 'VARCHAR',
                               'column3': 'DOUBLE', 'column4': 'DATE', 'column5': 'VARCHAR'}))
                 TO ${quote(out)} (FORMAT parquet, COMPRESSION snappy)`);
} else {
  console.error('usage: duckdb-export.mjs probe | postgres CONN SQL OUT | csv CSV OUT');
  process.exit(2);
}
