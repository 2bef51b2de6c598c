// Writes duckdb-ecoles.parquet, the DuckDB-written GeoParquet fixture of DuckDbParquetUploadTests. Run from the
// repository root after npm install: node tests/SmartRegion.Api.Tests/Catalog/Fixtures/make-duckdb-fixture.mjs
// DuckDB's defaults (Snappy, its own encodings and statistics) with several row groups and DuckDB's own GeoParquet
// 'geo' metadata (core GEOMETRY type, no spatial extension). Deterministic: the same file every time.
import { DuckDBInstance } from '@duckdb/node-api';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), 'duckdb-ecoles.parquet');
const duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
await duck.run('SET enable_geoparquet_conversion = true');
await duck.run(`COPY (
  SELECT i::BIGINT AS id,
         CASE WHEN i % 97 = 0 THEN NULL ELSE 'École ' || i END AS nom,
         (ARRAY['93066', '93001', '75056', '2A004'])[i % 4 + 1] AS code_insee,
         CASE WHEN i % 10 = 3 THEN NULL ELSE round(100 + i * 0.75, 2) END AS surface_toit_m2,
         (i % 700)::INTEGER AS eleves,
         i % 3 = 0 AS toiture_plate,
         DATE '1950-01-01' + (i * 11 % 25000)::INTEGER AS ouverture,
         make_timestamp(1718928000000000 + i * 3600000000) AS mesure,
         ('POINT(' || (2.2 + (i % 100) * 0.002) || ' ' || (48.85 + (i // 100) * 0.002) || ')')::GEOMETRY AS geometry
  FROM range(3000) t(i)
) TO '${out}' (FORMAT parquet, ROW_GROUP_SIZE 1024)`);
const meta = (await duck.runAndReadAll(`SELECT count(DISTINCT row_group_id)::INT AS groups, max(row_group_num_rows)::INT AS rows FROM parquet_metadata('${out}')`)).getRowObjectsJson();
console.log(out, meta);
