import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { EntityMetadata } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/libsql';
import { DependencyKeys } from '../../../lib/dependencies/dependency-key.js';
import { recordDriverRead } from '../../../lib/dependencies/query-dependencies.js';
import { MAX_PAGE_DEPENDENCIES, RenderDependencies } from '../../../lib/dependencies/render-dependencies.js';
import { WriteKeys } from '../../../lib/dependencies/write-dependencies.js';
import { AUTO_ENTITIES } from '../../orm/auto/auto.entities.js';

/*
 * The key rules of automatic dependencies on real MikroORM metadata: what a read depends on,
 * and what a write renews. A page is invalidated exactly when the two meet, so each rule is a
 * pair: the write that must reach the read, and the one that must not.
 */

type Meta = EntityMetadata<object>;
const keys = new DependencyKeys('p:', 'default');
let orm: MikroORM;
const meta = (name: string) => orm.getMetadata().find(name) as unknown as Meta;

beforeAll(async () => {
  orm = await MikroORM.init({ dbName: ':memory:', entities: AUTO_ENTITIES });
});
afterAll(async () => {
  await orm.close(true);
});

function read(
  entity: string,
  where: unknown,
  options: { orderBy?: unknown; offset?: number; counts?: boolean; rows?: unknown[] } = {},
) {
  const deps = new RenderDependencies();
  recordDriverRead(
    { keys, deps, metaOf: (name) => orm.getMetadata().find(name as string) as unknown as Meta },
    {
      meta: meta(entity),
      where,
      orderBy: options.orderBy,
      offset: options.offset,
      counts: options.counts ?? false,
      rows: options.rows ?? [],
    },
  );
  return new Set(deps.finish().keys);
}

function written(record: (write: WriteKeys) => void): Set<string> {
  const write = new WriteKeys(keys, (value) => value);
  record(write);
  return write.keys;
}

const meets = (a: Set<string>, b: Set<string>) => [...a].some((key) => b.has(key));

describe('a read by primary key', () => {
  test('depends on its row: that row’s update reaches it, another row’s does not', () => {
    const page = read('Article', 5, { rows: [{ id: 5, title: 'x' }] });
    expect(
      meets(
        page,
        written((w) => w.update(meta('Article'), [5], { title: 'y' })),
      ),
    ).toBe(true);
    expect(
      meets(
        page,
        written((w) => w.update(meta('Article'), [6], { title: 'y' })),
      ),
    ).toBe(false);
    expect(
      meets(
        page,
        written((w) =>
          w.insertOrDelete(meta('Article'), [{ id: 7, slug: 's', title: 't', published: true }]),
        ),
      ),
    ).toBe(false);
  });

  test('that found nothing depends on inserts of its class', () => {
    const page = read('Article', { id: 5 });
    expect(
      meets(
        page,
        written((w) => w.insertOrDelete(meta('Article'), [{ slug: 's', title: 't' }])),
      ),
    ).toBe(true);
  });
});

describe('a list', () => {
  const list = () => read('Article', { published: true, deletedAt: null }, { orderBy: [{ rank: 'desc' }] });

  test('hears of an insert that matches its narrowest condition, not of one that cannot join', () => {
    const page = list();
    expect(
      meets(
        page,
        written((w) => w.insertOrDelete(meta('Article'), [{ published: true, deletedAt: null }])),
      ),
    ).toBe(true);
    expect(
      meets(
        page,
        written((w) => w.insertOrDelete(meta('Article'), [{ published: false, deletedAt: null }])),
      ),
    ).toBe(false);
  });

  test('hears of an insert that does not tell the value of its condition', () => {
    expect(
      meets(
        list(),
        written((w) => w.insertOrDelete(meta('Article'), [{ title: 'no published given' }])),
      ),
    ).toBe(true);
  });

  test('hears of an update moving a row in, or changing its sort column', () => {
    const page = list();
    expect(
      meets(
        page,
        written((w) => w.update(meta('Article'), [9], { published: true })),
      ),
    ).toBe(true);
    expect(
      meets(
        page,
        written((w) => w.update(meta('Article'), [9], { rank: 3 })),
      ),
    ).toBe(true);
    expect(
      meets(
        page,
        written((w) => w.update(meta('Article'), [9], { title: 'not shown' })),
      ),
    ).toBe(false);
  });

  test('a count also hears of a row leaving it (its condition columns)', () => {
    const count = read('Article', { published: true }, { counts: true });
    expect(
      meets(
        count,
        written((w) => w.update(meta('Article'), [9], { published: false })),
      ),
    ).toBe(true);
  });

  test('a condition through a relation depends on the related class', () => {
    const page = read('Article', { author: { name: 'Ada' } });
    expect(
      meets(
        page,
        written((w) => w.update(meta('Author'), [1], { name: 'Bea' })),
      ),
    ).toBe(true);
  });

  test('a write the module cannot describe reaches every read of the class', () => {
    const untracked = written((w) => w.untracked(meta('Article')));
    expect(meets(list(), untracked)).toBe(true);
    expect(meets(read('Article', 5, { rows: [{ id: 5 }] }), untracked)).toBe(true);
  });
});

test('the members of a to-many relation: a child joining or leaving its parent', () => {
  const comments = read('Comment', { article: { $in: [5] } }, { rows: [{ id: 1, article: 5 }] });
  expect(
    meets(
      comments,
      written((w) => w.insertOrDelete(meta('Comment'), [{ body: 'b', article: 5 }])),
    ),
  ).toBe(true);
  expect(
    meets(
      comments,
      written((w) => w.insertOrDelete(meta('Comment'), [{ body: 'b', article: 6 }])),
    ),
  ).toBe(false);
  expect(
    meets(
      comments,
      written((w) => w.update(meta('Comment'), [2], { article: 5 })),
    ),
  ).toBe(true);
});

test('a page with more keys than the cap depends on the classes it read instead', () => {
  const ids = Array.from({ length: MAX_PAGE_DEPENDENCIES + 5 }, (_, i) => i + 1);
  const page = read('Article', { id: { $in: ids.slice(0, 16) } }, { rows: ids.map((id) => ({ id })) });
  expect([...page]).toEqual([keys.class('Article')]);
  expect(
    meets(
      page,
      written((w) => w.update(meta('Article'), [3], { title: 'x' })),
    ),
  ).toBe(true);
});
