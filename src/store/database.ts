import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { errorMessage, UserError } from '../lib/errors.js';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

/** Where the state lives: a file (embedded) or a PostgreSQL server. */
export type DatabaseConfig =
  { kind: 'embedded'; path: string } | { kind: 'postgres'; url: string };

// int8 columns (job and runner ids) come back from pg as strings by default;
// GitLab ids fit well within 2^53, so numbers are exact and simpler.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * Opens the database and brings its schema up to date. The embedded
 * backend is one SQLite file in WAL mode; PostgreSQL gets a small pool.
 */
export async function openDatabase(
  config: DatabaseConfig,
): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({ dialect: dialectFor(config) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    const where = config.kind === 'postgres' ? 'PostgreSQL' : config.path;
    throw new UserError(
      `cannot open the database (${where}): ${errorMessage(error)}`,
    );
  }
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
  }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    const name = failed ? ` ${failed.migrationName}` : '';
    throw new Error(`database migration${name} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return db;
}

function dialectFor(config: DatabaseConfig) {
  if (config.kind === 'postgres') {
    return new PostgresDialect({
      pool: new pg.Pool({ connectionString: config.url, max: 10 }),
    });
  }
  if (config.path !== ':memory:')
    mkdirSync(dirname(config.path), { recursive: true });
  const sqlite = new SQLite(config.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database: sqlite });
}
