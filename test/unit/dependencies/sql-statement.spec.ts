import { describe, expect, test } from '@jest/globals';
import { readSqlStatement } from '../../../lib/dependencies/sql-statement.js';

describe('readSqlStatement', () => {
  test.each([
    [
      'select `a0`.* from `article` as `a0` left join `author` as `a1` on `a0`.`author_id` = `a1`.`id`',
      'read',
      ['article', 'author'],
    ],
    ['SELECT name FROM "public"."tag" ORDER BY name', 'read', ['tag']],
    ['update "article" set "title" = $1 where "id" = $2', 'write', ['article']],
    ['insert into `comment` (`body`) values (?)', 'write', ['comment']],
    ['delete from tag where id in (select tag_id from article_tags)', 'write', ['tag', 'article_tags']],
    ['-- a comment\n/* and another */ select count(*) as c from comment', 'read', ['comment']],
    ['begin', 'other', []],
    ['savepoint trx1', 'other', []],
    ['pragma foreign_keys = on', 'other', []],
  ])('%s', (sql, kind, tables) => {
    expect(readSqlStatement(sql)).toEqual({ kind, tables });
  });

  test.each([
    'select * from a, b',
    'select * from article as x, author',
    'select * from generate_series(1, 3)',
    'truncate',
  ])('%s names tables it cannot read: unknown', (sql) => {
    expect(readSqlStatement(sql).tables).toBeUndefined();
  });

  test('a CTE name is not a table; a data-modifying CTE is a write', () => {
    expect(
      readSqlStatement('with recent as (select * from article) select * from recent join author on 1=1'),
    ).toEqual({
      kind: 'read',
      tables: ['article', 'author'],
    });
    expect(
      readSqlStatement('with gone as (delete from comment returning id) select count(*) from gone').kind,
    ).toBe('write');
  });
});
