import type { InvalidationBatch } from './invalidation-batch.js';

/**
 * Holds what flushes inside a transaction will invalidate until the root transaction commits.
 * Nested transactions (savepoints) add to their root's batch: MikroORM 6 marks a savepoint with
 * a `parentTransaction` symbol, MikroORM 7 announces it in `beforeTransactionStart` (with the
 * parent) right before `afterTransactionStart` (with the savepoint). Keyed weakly, so a
 * transaction that ends without an event leaks nothing.
 */
export class TransactionBatches {
  private readonly pending = new WeakMap<object, InvalidationBatch>();
  private readonly parents = new WeakMap<object, object>();
  private readonly starting = new WeakMap<object, object>();

  /** `beforeTransactionStart`: `parent` is set when a savepoint is about to open under it. */
  willStart(em: object, parent: object | undefined): void {
    if (parent) this.starting.set(em, parent);
    else this.starting.delete(em);
  }

  /** `afterTransactionStart`: links a savepoint to the parent announced just before. */
  started(em: object, transaction: object | undefined): void {
    const parent = this.starting.get(em);
    this.starting.delete(em);
    if (parent && transaction && parent !== transaction) this.parents.set(transaction, parent);
  }

  /** Defers a batch until the root of `transaction` commits. */
  add(transaction: object, batch: InvalidationBatch): void {
    const root = this.root(transaction);
    const pending = this.pending.get(root);
    if (pending) pending.merge(batch);
    else this.pending.set(root, batch);
  }

  /** `afterTransactionCommit`: the batch to invalidate now, if this was a root transaction. */
  takeCommitted(transaction: object | undefined): InvalidationBatch | undefined {
    if (!transaction || isSavepoint(transaction)) return undefined;
    const batch = this.pending.get(transaction);
    this.pending.delete(transaction);
    return batch;
  }

  /**
   * `afterTransactionRollback`: a root rollback drops its batch. A savepoint rollback keeps it:
   * its pages are invalidated with the root's, which over-invalidates but is never stale.
   */
  dropRolledBack(transaction: object | undefined): void {
    if (transaction && !isSavepoint(transaction)) this.pending.delete(transaction);
  }

  private root(transaction: object): object {
    let current = transaction;
    for (let depth = 0; depth < 1_000; depth++) {
      const parent = this.parents.get(current) ?? symbolParent(current);
      if (!parent) break;
      current = parent;
    }
    return current;
  }
}

function isSavepoint(transaction: object): boolean {
  return typeof (transaction as { savepointName?: unknown }).savepointName === 'string';
}

/** MikroORM 6 (`@mikro-orm/knex`) stores a savepoint's parent under a private `Symbol('parentTransaction')`. */
function symbolParent(transaction: object): object | undefined {
  const symbol = Object.getOwnPropertySymbols(transaction).find(
    (key) => key.description === 'parentTransaction',
  );
  const parent: unknown = symbol ? (transaction as Record<symbol, unknown>)[symbol] : undefined;
  return typeof parent === 'object' || typeof parent === 'function' ? (parent ?? undefined) : undefined;
}
