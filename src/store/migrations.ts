import { sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';

/**
 * The schema's history. Written once with Kysely's schema builder, so the
 * embedded database and PostgreSQL get the same tables from the same code.
 * Never edit a migration that has shipped: add a new one.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('demands')
        .addColumn('job_id', 'bigint', (c) => c.primaryKey())
        .addColumn('project_id', 'bigint', (c) => c.notNull())
        .addColumn('pipeline_id', 'bigint', (c) => c.notNull())
        .addColumn('job_name', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('vcpus', 'integer', (c) => c.notNull())
        .addColumn('memory_mib', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('gitlab_status', 'text')
        .addColumn('job_created_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('demands_status')
        .on('demands')
        .column('status')
        .execute();

      await db.schema
        .createTable('vms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('demand_job_id', 'bigint', (c) => c.notNull())
        .addColumn('project_id', 'bigint', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('runner_id', 'bigint')
        .addColumn('took_job_id', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('vcpus', 'integer', (c) => c.notNull())
        .addColumn('memory_mib', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('booted_at', 'bigint')
        .addColumn('job_started_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('exit_kind', 'text')
        .addColumn('exit_detail', 'text')
        .addColumn('console_path', 'text')
        .execute();
      await db.schema
        .createIndex('vms_state')
        .on('vms')
        .column('state')
        .execute();
      await db.schema
        .createIndex('vms_took_job')
        .on('vms')
        .column('took_job_id')
        .execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('vcpus', 'integer', (c) => c.notNull())
        .addColumn('memory_mib', 'integer', (c) => c.notNull())
        .addColumn('hypervisor', 'text', (c) => c.notNull())
        .addColumn('acceleration', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(sql`0`))
        .execute();
    },
  },
  '0002_fleet': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('agents')
        .addColumn('credential_hash', 'text')
        .execute();
      await db.schema
        .alterTable('agents')
        .addColumn('draining', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('agents')
        .addColumn('server_id', 'text')
        .execute();
      await db.schema
        .createTable('enrolment_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('agent_id', 'text')
        .execute();
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0003_lost_jobs_groups_backoff': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('demands')
        .addColumn('retry_of', 'bigint')
        .execute();
      await db.schema
        .alterTable('demands')
        .addColumn('group_id', 'bigint')
        .execute();
      await db.schema
        .alterTable('vms')
        .addColumn('group_id', 'bigint')
        .execute();
      await db.schema
        .alterTable('demands')
        .addColumn('not_before', 'bigint')
        .execute();
    },
  },
  // Insights read a time window: demands and VMs by their times, agents
  // from when they joined, projects and groups by name.
  '0004_insights': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('demands_created_at')
        .on('demands')
        .column('created_at')
        .execute();
      // VMs of a window are found by their end (live ones have none):
      // an index on their start would scan all history before the end.
      await db.schema
        .createIndex('vms_ended_at')
        .on('vms')
        .column('ended_at')
        .execute();
      await db.schema
        .alterTable('agents')
        .addColumn('first_seen_at', 'bigint')
        .execute();
      // An agent known before this migration joined no later than its
      // first VM; one that never ran a VM stays unknown (null).
      await sql`update agents set first_seen_at = (select min(created_at) from vms where vms.agent_id = agents.id)`.execute(
        db,
      );
      await db.schema
        .createTable('projects')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('group_id', 'bigint')
        .addColumn('group_path', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
