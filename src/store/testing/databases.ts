import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../database.js';

/**
 * The databases a store test runs against: always the embedded one, and
 * PostgreSQL when FIRELAB_TEST_POSTGRES_URL names a server (the test setup
 * in scripts/ starts one). Each call of `config()` gets a fresh, empty
 * database so tests never share state.
 */
export interface TestDatabase {
  name: string;
  skip: string | false;
  config(): Promise<DatabaseConfig>;
}

export function testDatabases(): TestDatabase[] {
  const url = process.env.FIRELAB_TEST_POSTGRES_URL;
  return [
    {
      name: 'embedded',
      skip: false,
      config: async () => ({ kind: 'embedded', path: ':memory:' }),
    },
    {
      name: 'postgres',
      skip: url
        ? false
        : 'FIRELAB_TEST_POSTGRES_URL is not set (no PostgreSQL server)',
      config: () => freshPostgres(url!),
    },
  ];
}

async function freshPostgres(url: string): Promise<DatabaseConfig> {
  const name = `firelab_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return { kind: 'postgres', url: fresh.toString() };
}
