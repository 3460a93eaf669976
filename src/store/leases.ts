import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Takes or renews the lease `name` for `holder` until `now + ttlMs`.
 * One statement: it inserts the lease, or takes it over when it is the
 * holder's own or has expired, so two servers can never both hold it.
 * Returns whether `holder` holds it now.
 */
export async function acquireLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  await db
    .insertInto('leases')
    .values({ name, holder, expires_at: now + ttlMs })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({
          holder: eb.ref('excluded.holder'),
          expires_at: eb.ref('excluded.expires_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('leases.holder', '=', holder),
            eb('leases.expires_at', '<', now),
          ]),
        ),
    )
    .execute();
  const row = await db
    .selectFrom('leases')
    .select('holder')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.holder === holder;
}

/** Gives the lease up at once (a clean shutdown), if `holder` has it. */
export async function releaseLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
): Promise<void> {
  await db
    .deleteFrom('leases')
    .where('name', '=', name)
    .where('holder', '=', holder)
    .execute();
}
