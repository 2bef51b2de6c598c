// DuckDB's side of bench/api: the rows PostgreSQL wrote as CSV (geometry as WKB hex) to a Parquet file (SNAPPY).
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, out] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`COPY (SELECT column0 AS id, column1 AS name, column2 AS commune, column3 AS value, column4 AS day,
                      from_hex(column5) AS geom
               FROM read_csv('${csv}', header = false, columns = {'column0': 'BIGINT', 'column1': 'VARCHAR', 'column2': 'VARCHAR',
                             'column3': 'DOUBLE', 'column4': 'DATE', 'column5': 'VARCHAR'}))
               TO '${out}' (FORMAT parquet, COMPRESSION snappy)`);
