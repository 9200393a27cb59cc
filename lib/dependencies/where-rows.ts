import type { EntityMetadata } from '@mikro-orm/core';

type Meta = EntityMetadata<object>;
type Row = Record<string, unknown>;

/** The primary keys a `where` names and nothing else, or `undefined`. */
export function primaryKeysOf(meta: Meta, where: unknown): unknown[] | undefined {
  if (meta.primaryKeys.length !== 1) return undefined;
  const pk = meta.primaryKeys[0] as string;
  if (where === null || where === undefined) return undefined;
  if (typeof where !== 'object') return [where];
  if (Array.isArray(where)) return where;
  const entries = Object.entries(where as Row);
  if (entries.length !== 1 || entries[0]![0] !== pk) return undefined;
  const condition = entries[0]![1];
  if (typeof condition !== 'object' || condition === null) return [condition];
  const operators = condition as Row;
  if (Array.isArray(operators.$in) && Object.keys(operators).length === 1) return operators.$in;
  if ('$eq' in operators && Object.keys(operators).length === 1) return [operators.$eq];
  return undefined;
}

/**
 * The rows a `where` of equalities pins down (`{ a: 1, b: 2 }`, `{ $or: [{…}, {…}] }`, one
 * `$in`), as the values known of each; `undefined` when it is anything else.
 */
export function equalityRows(meta: Meta, where: unknown): Row[] | undefined {
  const pks = primaryKeysOf(meta, where);
  if (pks) return pks.map((pk) => ({ [meta.primaryKeys[0] as string]: pk }));
  if (typeof where !== 'object' || where === null) return undefined;
  const entries = Object.entries(where as Row);
  if (entries.length === 1 && entries[0]![0] === '$or' && Array.isArray(entries[0]![1])) {
    const rows: Row[] = [];
    for (const branch of entries[0]![1] as unknown[]) {
      const branchRows = equalityRows(meta, branch);
      if (!branchRows) return undefined;
      rows.push(...branchRows);
    }
    return rows;
  }
  const row: Row = {};
  for (const [name, value] of entries) {
    if (name.startsWith('$')) return undefined;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const operators = value as Row;
      if (Object.keys(operators).length === 1 && '$eq' in operators) row[name] = operators.$eq;
      else return undefined;
    } else if (Array.isArray(value)) return undefined;
    else row[name] = value;
  }
  return [row];
}

/** A row holding only its primary key (composite keys by part). */
export function primaryKeyRow(meta: Meta, pk: unknown): Row {
  if (meta.primaryKeys.length === 1) return { [meta.primaryKeys[0] as string]: pk };
  const parts = Array.isArray(pk) ? pk : [pk];
  return Object.fromEntries(meta.primaryKeys.map((name, index) => [name as string, parts[index]]));
}
