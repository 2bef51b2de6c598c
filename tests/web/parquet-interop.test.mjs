// Interoperability of SmartRegion.Parquet with readers and writers no one here wrote: DuckDB and hyparquet.
// Files we write (./smartregion parquet sample) must read back in both with the same values, types and statistics;
// files DuckDB writes (default settings, codecs including ZSTD, v2 pages, several row groups) must read back in ours.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects, parquetMetadata } from 'hyparquet';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliDll = join(root, 'artifacts', 'bin', 'SmartRegion.Pipelines', 'release', 'SmartRegion.Pipelines.dll');
let dir;
let duck;

before(async () => {
  assert.ok(existsSync(cliDll), `build the CLI first (dotnet build -c Release): ${cliDll} is missing`);
  dir = mkdtempSync(join(tmpdir(), 'parquet-interop-'));
  duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
});

after(() => dir && rmSync(dir, { recursive: true, force: true }));

function cli(...args) {
  return spawnSync('dotnet', [cliDll, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Our reader's rows (parquet cat); integers too large for a double are kept as strings. */
function ourRows(file) {
  const r = cli('parquet', 'cat', file);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).map(line => JSON.parse(line.replace(/:(-?\d{16,})([,}])/g, ':"$1"$2')));
}

async function duckRows(sql) {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson();
}

/** Every column cast to a comparable string: timestamps as epoch µs, blobs as hex, UUIDs without dashes. */
async function duckCanonical(file) {
  const types = await duckRows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  const exprs = types.map(({ column_name: n, column_type: t }) => {
    const c = `"${n}"`;
    if (t.startsWith('TIMESTAMP')) return `epoch_us(${c})::VARCHAR AS ${c}`;
    if (t === 'BLOB') return `lower(hex(${c})) AS ${c}`;
    if (t === 'UUID') return `replace(${c}::VARCHAR, '-', '') AS ${c}`;
    if (t.startsWith('STRUCT')) return `${c}`;
    return `${c}::VARCHAR AS ${c}`;
  });
  return { types, rows: await duckRows(`SELECT ${exprs.join(', ')} FROM read_parquet('${file}')`) };
}

function isoToMicros(iso) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z?$/.exec(iso);
  assert.ok(m, `not an ISO 8601 timestamp: ${iso}`);
  return (BigInt(Date.parse(m[1] + 'Z')) * 1000n + BigInt(m[2])).toString();
}

function sameValue(duckValue, ours, type) {
  if (duckValue === null || ours === null || ours === undefined) return duckValue === null && (ours === null || ours === undefined);
  if (type.startsWith('TIMESTAMP')) return duckValue === isoToMicros(ours);
  if (typeof ours === 'number') return Number(duckValue) === ours;
  return String(ours) === String(duckValue);
}

function compareAll(file, duckResult, ours) {
  assert.equal(ours.length, duckResult.rows.length, `${file}: row counts differ`);
  for (const { column_name: name, column_type: type } of duckResult.types) {
    for (let r = 0; r < ours.length; r++) {
      if (type.startsWith('STRUCT')) {
        for (const [k, v] of Object.entries(duckResult.rows[r][name] ?? {})) {
          assert.ok(sameValue(v === null ? null : String(v), ours[r][`${name}.${k}`], 'DOUBLE'), `${file} row ${r} ${name}.${k}: DuckDB ${v}, ours ${ours[r][`${name}.${k}`]}`);
        }
        continue;
      }
      const d = duckResult.rows[r][name];
      assert.ok(sameValue(d, ours[r][name], type), `${file} row ${r} column ${name} (${type}): DuckDB ${d}, ours ${JSON.stringify(ours[r][name])}`);
    }
  }
}

const ROWS = 4000;

for (const [label, extra] of [['snappy', []], ['gzip', ['--codec', 'gzip']], ['zstd', ['--codec', 'zstd']], ['uncompressed, plain', ['--codec', 'uncompressed', '--no-dictionary']], ['data page v2', ['--page-v2']]]) {
  test(`our file (${label}) reads the same in DuckDB`, async () => {
    const file = join(dir, `ours-${label.replace(/\W+/g, '-')}.parquet`);
    const w = cli('parquet', 'sample', file, '--rows', String(ROWS), '--row-group-rows', '1500', ...extra);
    assert.equal(w.status, 0, w.stderr);
    await duck.run('SET enable_geoparquet_conversion = false');
    const d = await duckCanonical(file);
    const ours = ourRows(file);
    compareAll(file, d, ours);
    const typeOf = Object.fromEntries(d.types.map(t => [t.column_name, t.column_type]));
    assert.deepEqual(
      ['id', 'name', 'flag', 'i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'u64', 'f32', 'value', 'price', 'amount', 'day', 'observed_at', 'attrs', 'raw', 'uuid', 'nothing', 'geometry'].map(c => typeOf[c]),
      ['BIGINT', 'VARCHAR', 'BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'FLOAT', 'DOUBLE',
        'DECIMAL(9,2)', 'DECIMAL(18,4)', 'DATE', 'TIMESTAMP WITH TIME ZONE', 'JSON', 'BLOB', 'BLOB', 'VARCHAR', 'BLOB']);
    // Statistics as DuckDB reads them from our footer, against the values themselves.
    const stats = await duckRows(`SELECT path_in_schema AS p, stats_min_value AS mn, stats_max_value AS mx, sum(stats_null_count)::INT AS nulls, count(*)::INT AS groups
      FROM parquet_metadata('${file}') WHERE row_group_id = 0 OR path_in_schema IN ('value', 'nothing') GROUP BY ALL`);
    const stat = p => stats.filter(s => s.p === p);
    assert.deepEqual(stat('id')[0], { p: 'id', mn: '0', mx: '1499', nulls: 0, groups: 1 });
    const firstGroup = ours.slice(0, 1500);
    const names = firstGroup.map(r => r.name).filter(n => n !== null).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual([stat('name')[0].mn, stat('name')[0].mx], [names[0], names.at(-1)]);
    assert.equal(stat('value').reduce((s, x) => s + x.nulls, 0), ours.filter(r => r.value === null).length);
    assert.equal(stat('nothing').reduce((s, x) => s + x.nulls, 0), ROWS);
    const counts = await duckRows(`SELECT count(*)::INT AS n, count(name)::INT AS names, count(nothing)::INT AS nothing FROM read_parquet('${file}')`);
    assert.deepEqual(counts[0], { n: ROWS, names: ours.filter(r => r.name !== null).length, nothing: 0 });
  });
}

test('our GeoParquet: DuckDB sees a geometry column and valid geo metadata with the right bbox and EPSG:2154', async () => {
  const file = join(dir, 'geo.parquet');
  assert.equal(cli('parquet', 'sample', file, '--rows', '3000').status, 0);
  await duck.run('SET enable_geoparquet_conversion = true');
  const types = await duckRows(`DESCRIBE SELECT geometry FROM read_parquet('${file}')`);
  assert.match(types[0].column_type, /^GEOMETRY/);
  await duck.run('SET enable_geoparquet_conversion = false');
  const wkb = await duckRows(`SELECT lower(hex(geometry)) AS g FROM read_parquet('${file}') LIMIT 1`);
  assert.equal(wkb[0].g.slice(0, 10), '0103000000'); // little-endian WKB Polygon
  const kv = await duckRows(`SELECT decode(value) AS v FROM parquet_kv_metadata('${file}') WHERE decode(key) = 'geo'`);
  const geo = JSON.parse(kv[0].v);
  assert.equal(geo.version, '1.1.0');
  assert.equal(geo.primary_column, 'geometry');
  const col = geo.columns.geometry;
  assert.equal(col.encoding, 'WKB');
  assert.deepEqual(col.geometry_types, ['Polygon']);
  // Squares of 10 m every 20 m: 1000 per row of the grid, 3 grid rows.
  assert.deepEqual(col.bbox, [651000, 6865000, 651000 + 999 * 20 + 10, 6865000 + 2 * 20 + 10]);
  assert.deepEqual(col.crs.id, { authority: 'EPSG', code: 2154 });
  assert.deepEqual(col.covering.bbox.xmin, ['bbox', 'xmin']);
  const bbox = await duckRows(`SELECT min(bbox.xmin) AS x0, max(bbox.ymax) AS y1 FROM read_parquet('${file}')`);
  assert.deepEqual([bbox[0].x0, bbox[0].y1], [col.bbox[0], col.bbox[3]]);
});

for (const [label, extra] of [['data page v1', []], ['data page v2', ['--page-v2']]]) test(`our file (${label}) reads the same in hyparquet (values, row count, types, statistics, geometry)`, async () => {
  const file = join(dir, `hyparquet-${extra.length}.parquet`);
  assert.equal(cli('parquet', 'sample', file, '--rows', '2500', '--row-group-rows', '1000', ...extra).status, 0);
  const buffer = readFileSync(file);
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const rows = await parquetReadObjects({ file: arrayBuffer, geoparquet: false, utf8: false });
  const ours = ourRows(file);
  assert.equal(rows.length, ours.length);
  const hex = b => Buffer.from(b).toString('hex');
  for (let r = 0; r < rows.length; r++) {
    const h = rows[r], o = ours[r];
    const where = `row ${r}`;
    assert.equal(String(h.id), String(o.id), where);
    assert.equal(h.name, o.name, where);
    assert.equal(h.flag, o.flag, where);
    for (const c of ['i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'f32', 'value']) {
      assert.equal(h[c] === null ? null : Number(h[c]), o[c], `${where} ${c}`);
    }
    for (const c of ['price', 'amount']) { // hyparquet turns decimals into doubles (unscaled × 10^-scale)
      assert.ok(Math.abs(h[c] - o[c]) <= 1e-9 * Math.max(1, Math.abs(o[c])), `${where} ${c}: hyparquet ${h[c]}, ours ${o[c]}`);
    }
    assert.equal(String(h.u64), String(o.u64), where);
    assert.equal(h.day?.toISOString().slice(0, 10) ?? null, o.day, where);
    assert.equal(h.observed_at === null ? null : BigInt(h.observed_at.getTime()), o.observed_at === null ? null : BigInt(isoToMicros(o.observed_at)) / 1000n, where);
    assert.deepEqual(h.attrs, JSON.parse(o.attrs), where);
    assert.equal(hex(h.raw), o.raw, where);
    assert.equal(hex(h.uuid), o.uuid, where);
    assert.equal(h.geometry === null ? null : hex(h.geometry), o.geometry, where);
    assert.equal(h.nothing, null, where);
  }
  const meta = parquetMetadata(arrayBuffer);
  assert.equal(Number(meta.num_rows), 2500);
  const types = Object.fromEntries(meta.schema.map(s => [s.name, [s.type, s.logical_type ?? null, s.repetition_type]]));
  assert.deepEqual(types.id, ['INT64', null, 'REQUIRED']);
  assert.deepEqual(types.name, ['BYTE_ARRAY', { type: 'STRING' }, 'OPTIONAL']);
  assert.deepEqual(types.i8[1], { type: 'INTEGER', bitWidth: 8, isSigned: true });
  assert.deepEqual(types.u64[1], { type: 'INTEGER', bitWidth: 64, isSigned: false });
  assert.deepEqual(types.amount, ['INT64', { type: 'DECIMAL', scale: 4, precision: 18 }, 'OPTIONAL']);
  assert.deepEqual(types.day[1], { type: 'DATE' });
  assert.deepEqual(types.observed_at[1], { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
  assert.deepEqual(types.attrs[1], { type: 'JSON' });
  assert.deepEqual(types.geometry[1], { type: 'GEOMETRY', crs: 'EPSG:2154' }); // from our PROJJSON's id
  assert.deepEqual(types.uuid[0], 'FIXED_LEN_BYTE_ARRAY');
  assert.equal(meta.row_groups.length, 3);
  const idStats = meta.row_groups[1].columns[0].meta_data.statistics;
  assert.deepEqual([Number(idStats.min_value), Number(idStats.max_value), Number(idStats.null_count)], [1000, 1999, 0]);
  const geoRows = await parquetReadObjects({ file: arrayBuffer, columns: ['geometry'], rowStart: 0, rowEnd: 1 });
  assert.equal(geoRows[0].geometry.type, 'Polygon');
  assert.deepEqual(geoRows[0].geometry.coordinates[0][0], [651000, 6865000]);
});

const DUCK_TABLE = `
  SELECT i AS id,
    CASE WHEN i % 7 = 3 THEN NULL ELSE 'name ' || (i % 50) || ' é東' END AS name,
    CASE WHEN i % 11 = 5 THEN NULL ELSE i % 3 = 0 END AS flag,
    (i % 100 - 50)::TINYINT AS i8, (i * 7 % 30000)::SMALLINT AS i16, (i * 7919 - 4000000)::INTEGER AS i32,
    (4000000000 - i)::UINTEGER AS u32, i::UBIGINT * 1000000000000 AS u64,
    CASE WHEN i % 5 = 1 THEN NULL ELSE i * 0.5 - 1000 END AS d, (i * 0.25)::FLOAT AS f,
    (i % 1000 * 0.25)::DECIMAL(9,2) AS price, (i * 1.0625)::DECIMAL(18,4) AS amount, (i * 1.5)::DECIMAL(30,4) AS big,
    DATE '2020-01-01' + (i % 2000)::INTEGER AS day,
    make_timestamp(1718928000000000 + i * 3600000001) AS ts,
    CASE WHEN i % 13 = 0 THEN NULL ELSE ('\\x0102'::BLOB || (i % 256)::UTINYINT::VARCHAR::BLOB) END AS raw,
    ('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uid
  FROM range(5000) t(i)`;

for (const [label, options] of [
  ['default settings', ''],
  ['SNAPPY, small row groups', ', COMPRESSION snappy, ROW_GROUP_SIZE 1000'],
  ['GZIP', ', COMPRESSION gzip'],
  ['ZSTD (Polars\' and DuckDB\'s usual codec)', ', COMPRESSION zstd'],
  ['ZSTD level 19, data page v2', ', COMPRESSION zstd, COMPRESSION_LEVEL 19, PARQUET_VERSION V2'],
  ['UNCOMPRESSED', ', COMPRESSION uncompressed'],
  ['PARQUET_VERSION V2 (data page v2, delta encodings)', ', PARQUET_VERSION V2'],
]) {
  test(`DuckDB-written file (${label}) reads the same in ours`, async () => {
    const file = join(dir, `duck-${label.replace(/\W+/g, '-')}.parquet`);
    await duck.run(`COPY (${DUCK_TABLE}) TO '${file}' (FORMAT parquet${options})`);
    compareAll(file, await duckCanonical(file), ourRows(file));
  });
}

test('DuckDB-written nested list gives one clear "not supported" error naming the column', async () => {
  const file = join(dir, 'duck-list.parquet');
  await duck.run(`COPY (SELECT [1, 2, 3] AS l, 1 AS x) TO '${file}' (FORMAT parquet)`);
  const r = cli('parquet', 'inspect', file);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /duck-list\.parquet: footer: column 'l\.list' is repeated/);
});
