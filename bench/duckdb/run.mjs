// run.mjs - the DuckDB side of bench/duckdb.sh: runs one SQL file of
// bench/duckdb/sql/ against a database file and prints the seconds it took,
// from opening the database to the last statement's end (as Karta's side is
// timed from process start to exit).
//
//   node run.mjs DB SQLFILE [NAME=VALUE ...]
//
// ${NAME} in the SQL file is replaced by VALUE (paths, the as-of day, the
// output file). Statements are separated by ";" at the end of a line.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [db, sqlFile, ...params] = process.argv.slice(2);
if (!db || !sqlFile) {
  console.error('usage: node run.mjs DB SQLFILE [NAME=VALUE ...]');
  process.exit(2);
}
let sql = readFileSync(sqlFile, 'utf8');
for (const p of params) {
  const eq = p.indexOf('=');
  sql = sql.split('${' + p.slice(0, eq) + '}').join(p.slice(eq + 1));
}
const left = sql.match(/\$\{[A-Z_]+\}/);
if (left) {
  console.error(`run.mjs: ${sqlFile}: no value for ${left[0]}`);
  process.exit(2);
}
const statements = sql
  .split(/;\s*$/m)
  .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
  .filter((s) => s.length > 0);

const t0 = performance.now();
const instance = await DuckDBInstance.create(db, { threads: process.env.DUCKDB_THREADS || '2' });
const connection = await instance.connect();
for (const s of statements) await connection.run(s);
connection.closeSync();
instance.closeSync();
const t1 = performance.now();
console.log(((t1 - t0) / 1000).toFixed(3));
