import type { PageLease } from '../store/page-store.js';
import type { InvalidationBatch } from './invalidation-batch.js';

/** What a root transaction will invalidate when it ends, and the lease taken before its commit. */
export interface TransactionWork {
  readonly batch: InvalidationBatch;
  lease?: PageLease;
}

/**
 * Holds what flushes inside a transaction will invalidate until the root transaction commits.
 * Nested transactions (savepoints) add to their root's batch: MikroORM 6 marks a savepoint with
 * a `parentTransaction` symbol, MikroORM 7 announces it in `beforeTransactionStart` (with the
 * parent) right before `afterTransactionStart` (with the savepoint). Keyed weakly, so a
 * transaction that ends without an event leaks nothing.
 */
export class TransactionBatches {
  private readonly pending = new WeakMap<object, TransactionWork>();
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

  /** Defers a batch until the root of `transaction` ends. */
  add(transaction: object, batch: InvalidationBatch): void {
    const root = this.root(transaction);
    const work = this.pending.get(root);
    if (work) work.batch.merge(batch);
    else this.pending.set(root, { batch });
  }

  /** The batch that the root of `transaction` will invalidate so far, leaving it pending. */
  peek(transaction: object): InvalidationBatch | undefined {
    return this.pending.get(this.root(transaction))?.batch;
  }

  /** `beforeTransactionCommit`: the work of a root transaction about to commit, if any. */
  committing(transaction: object | undefined): TransactionWork | undefined {
    return transaction && !isSavepoint(transaction) ? this.pending.get(transaction) : undefined;
  }

  /**
   * `afterTransactionCommit` / `afterTransactionRollback` of a root transaction: its work, to
   * invalidate (or, after a rollback, to settle the lease). A savepoint's end changes nothing:
   * its pages go with the root's, which over-invalidates after a savepoint rollback but is never
   * stale.
   */
  ended(transaction: object | undefined): TransactionWork | undefined {
    if (!transaction || isSavepoint(transaction)) return undefined;
    const work = this.pending.get(transaction);
    this.pending.delete(transaction);
    return work;
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

export function isSavepoint(transaction: object): boolean {
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
