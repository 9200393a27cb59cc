import type { EntityManager } from '@mikro-orm/core';
import type { InvalidationRecord } from '../observation/invalidation-record.js';
import type { CachePageSubscriber } from './cache-page.subscriber.js';

/** Thrown inside the transaction to roll it back; never leaves `explainInvalidation()`. */
class ExplainRollback extends Error {}

/**
 * Runs `work` in a transaction of a fork of `em` that is always rolled back, and returns what
 * its commit would have invalidated: the subscriber's records for that transaction, read after
 * a last flush and before the rollback. Nothing is leased or invalidated: the commit never comes.
 */
export async function explainInvalidation(
  em: EntityManager,
  subscriber: CachePageSubscriber,
  work: (em: EntityManager) => unknown,
): Promise<InvalidationRecord[]> {
  const rollback = new ExplainRollback();
  let records: InvalidationRecord[] = [];
  try {
    await em.fork().transactional(async (transactionEm) => {
      await work(transactionEm);
      await transactionEm.flush();
      // Knex's transactions are functions; other drivers' are objects.
      const transaction: unknown = transactionEm.getTransactionContext();
      if ((typeof transaction === 'object' && transaction !== null) || typeof transaction === 'function') {
        records = subscriber.pendingRecords(transaction);
      }
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  return records;
}
