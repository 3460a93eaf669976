import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Remembers a webhook's Idempotency-Key; returns false when it was seen
 * before, so a redelivered hook is acknowledged but not acted on twice.
 */
export async function rememberDelivery(
  db: Kysely<Database>,
  key: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .insertInto('webhook_deliveries')
    .values({ idempotency_key: key, received_at: now })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Forgets keys older than `before`: GitLab reuses a key only for resends. */
export async function pruneDeliveries(
  db: Kysely<Database>,
  before: number,
): Promise<void> {
  await db
    .deleteFrom('webhook_deliveries')
    .where('received_at', '<', before)
    .execute();
}
