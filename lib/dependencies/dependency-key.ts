import { createHash } from 'node:crypto';
import { boundKey } from '../store/page-key.js';

/** A value as it appears in an equality key; `?` stands for "not known" (see `valueKey`). */
export const UNKNOWN_VALUE = '?';

/**
 * The names of the dependency keys of one MikroORM instance (DESIGN.md §3). Each is an epoch key
 * in the store, renewed by the writes it describes; a page rendered in `dependencies: 'auto'`
 * mode records the ones its reads depend on and is served only while all are unchanged.
 *
 * For an entity class `T` (its MikroORM class name, pivot entities included):
 * - `class(T)`: any write to `T`. Guards every render that read `T`; the coarse fallback.
 * - `row(T, pk)`: that row was inserted, updated or deleted.
 * - `equals(T, prop, value)`: a row with `prop = value` was inserted or deleted; `value` `?`
 *   when the write did not tell it.
 * - `moved(T, prop, value)`: an existing row's `prop` was set to `value`.
 * - `column(T, prop)`: `prop` changed in some existing row.
 * - `members(T)`: a row was inserted or deleted.
 * - `untracked(T)`: `T` was written in a way whose rows are unknown (raw SQL, a QueryBuilder
 *   write): every page that read `T` depends on it.
 * - `anything()`: some write happened; pages whose reads could not be attributed depend on it.
 */
export class DependencyKeys {
  private readonly base: string;

  /** `context` is the ORM's `contextName`; the default context adds nothing to the keys. */
  constructor(prefix: string, context: string) {
    this.base = `${prefix}dep:${context === 'default' ? '' : `${context}/`}`;
  }

  class = (entity: string): string => boundKey(`${this.base}${entity}`);
  row = (entity: string, pk: string): string => boundKey(`${this.base}${entity}#${pk}`);
  equals = (entity: string, prop: string, value: string): string =>
    boundKey(`${this.base}${entity}.${prop}=${value}`);
  moved = (entity: string, prop: string, value: string): string =>
    boundKey(`${this.base}${entity}.${prop}>${value}`);
  column = (entity: string, prop: string): string => boundKey(`${this.base}${entity}.${prop}`);
  members = (entity: string): string => boundKey(`${this.base}${entity}+`);
  untracked = (entity: string): string => boundKey(`${this.base}${entity}!`);
  anything = (): string => `${this.base}*`;
}

/**
 * A value as an equality key, or `undefined` when it cannot be one (objects other than a primary
 * key, dates, buffers): reads by such a value depend on the whole column instead. Booleans are
 * `1`/`0` because SQLite hands them back as numbers; `null` and `undefined` are one value.
 */
export function valueKey(value: unknown): string {
  const key = scalarKey(value);
  if (key !== undefined) return key;
  if (Array.isArray(value)) return digest(value.map((item) => scalarKey(item) ?? UNKNOWN_VALUE).join(','));
  return UNKNOWN_VALUE;
}

/** An equality value for a key, or `undefined` when the value is not a plain scalar. */
export function scalarKey(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.length <= 64 ? `s${value}` : `h${digest(value)}`;
    case 'number':
    case 'bigint':
      return `s${String(value)}`;
    case 'boolean':
      return value ? 's1' : 's0';
    case 'undefined':
      return 'n';
    case 'object':
      return value === null ? 'n' : undefined;
    default:
      return undefined;
  }
}

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22);
