import { describe, expect, test } from '@jest/globals';
import { InvalidationBatch } from '../../../lib/orm/invalidation-batch.js';
import { TransactionBatches } from '../../../lib/orm/transaction-batches.js';

const post = { entity: 'Post', id: 1, label: 'Post#1' };
const tag = { entity: 'Tag', id: 2, label: 'Tag#2' };
const batchOf = (...paths: string[]) => {
  const batch = new InvalidationBatch();
  batch.addPaths(post, 'update', paths);
  return batch;
};

describe('transaction batches', () => {
  test('flushes of one root transaction are merged and handed over once, at its end', () => {
    const batches = new TransactionBatches();
    const root = {};
    batches.add(root, batchOf('/a'));
    batches.add(root, batchOf('/b', '/a'));
    expect([...batches.committing(root)!.batch.paths]).toEqual(['/a', '/b']);
    expect([...batches.ended(root)!.batch.paths]).toEqual(['/a', '/b']);
    expect(batches.ended(root)).toBeUndefined();
  });

  test("a savepoint's flushes go to its root (MikroORM 7 announces the parent; 6 marks it with a symbol)", () => {
    const batches = new TransactionBatches();
    const root = {};
    const em = {};
    const v7Savepoint = { savepointName: 'trx1' };
    batches.willStart(em, root);
    batches.started(em, v7Savepoint);
    batches.add(v7Savepoint, batchOf('/seven'));
    const v6Savepoint = { savepointName: 'trx2', [Symbol('parentTransaction')]: root };
    batches.add(v6Savepoint, batchOf('/six'));
    expect(batches.ended(v7Savepoint)).toBeUndefined(); // a savepoint's end changes nothing
    expect([...batches.ended(root)!.batch.paths].sort()).toEqual(['/seven', '/six']);
  });
});

describe('invalidation batches', () => {
  test('coverAll() makes a batch cover every page, and merging keeps that', () => {
    const all = new InvalidationBatch();
    all.coverAll(tag, 'delete', 'bad-dependent-paths', 'dependentPaths() threw');
    const merged = batchOf('/a');
    merged.merge(all);
    expect(merged.all).toBe(true);
    expect(merged.logLines()).toEqual([
      'CachePageModule: Post#1 update → /a',
      'CachePageModule: Tag#2 delete → every page (dependentPaths() threw)',
    ]);
    expect(merged.records()).toEqual([
      { trigger: 'update', entity: 'Post', id: 1, paths: ['/a'] },
      {
        trigger: 'delete',
        entity: 'Tag',
        id: 2,
        paths: 'all',
        reason: 'dependentPaths() threw',
        cause: 'bad-dependent-paths',
      },
    ]);
  });

  test('records keep one entry per entity and trigger, with the paths as they were given', () => {
    const batch = batchOf('/Posts/Hello/', '/feed.xml');
    batch.merge(batchOf('/feed.xml', '/'));
    expect(batch.records()).toEqual([
      { trigger: 'update', entity: 'Post', id: 1, paths: ['/Posts/Hello/', '/feed.xml', '/'] },
    ]);
  });

  test('an empty batch is empty; one with paths is not', () => {
    expect(new InvalidationBatch().isEmpty).toBe(true);
    expect(batchOf('/x').isEmpty).toBe(false);
  });
});
