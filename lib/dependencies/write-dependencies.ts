import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { scalarKey, UNKNOWN_VALUE, valueKey, type DependencyKeys } from './dependency-key.js';

type Meta = EntityMetadata<object>;
type Prop = EntityProperty<object>;
type Row = Record<string, unknown>;

/** A written value as an equality key: a related entity or reference by its primary key. */
export type ValueOf = (value: unknown) => unknown;

/**
 * The keys a write renews (DESIGN.md §3), whichever way it reached the database: every write
 * renews its class and "anything"; the rest says what changed, as finely as the write tells.
 */
export class WriteKeys {
  readonly keys = new Set<string>();

  constructor(
    private readonly names: DependencyKeys,
    private readonly valueOf: ValueOf,
  ) {}

  /**
   * Rows inserted or deleted, with the values known of them (property or column names: what
   * `em.insert()` or the unit of work wrote, the entity the unit of work deletes, or what a
   * delete's `where` pins down); any other column's value is unknown.
   */
  insertOrDelete(meta: Meta, rows: readonly Row[]): void {
    this.touch(meta);
    this.keys.add(this.names.members(meta.className));
    for (const row of rows) {
      const values = byProp(meta, row);
      const pk = this.primaryKey(meta, values);
      if (pk !== undefined) this.keys.add(this.names.row(meta.className, pk));
      for (const prop of columns(meta))
        this.inserted(meta, prop.name, values.has(prop.name), values.get(prop.name));
    }
  }

  /**
   * Rows updated with `data`: by primary key (`pks`), their rows; else (`undefined`) any row.
   * A row moving into `prop = new` renews `moved`; one moving out of `prop = old` is either shown
   * by the pages that list it (they depend on its row) or counted by pages that depend on the
   * column, so its old value is not needed.
   */
  update(meta: Meta, pks: readonly unknown[] | undefined, data: Row): void {
    this.touch(meta);
    if (pks === undefined) this.keys.add(this.names.untracked(meta.className));
    else for (const pk of pks) this.keys.add(this.names.row(meta.className, valueKey(this.valueOf(pk))));
    for (const [name, value] of byProp(meta, data)) {
      const prop = (meta.properties as Record<string, Prop | undefined>)[name];
      if (!prop || !isColumn(prop)) continue;
      this.keys.add(this.names.column(meta.className, name));
      const key = scalarKey(this.valueOf(value));
      if (key !== undefined) this.keys.add(this.names.moved(meta.className, name, key));
    }
  }

  /** A write the module cannot describe (raw SQL, a QueryBuilder write): every page that read `meta`. */
  untracked(meta: Meta): void {
    this.touch(meta);
    this.keys.add(this.names.members(meta.className));
    this.keys.add(this.names.untracked(meta.className));
  }

  private touch(meta: Meta): void {
    this.keys.add(this.names.class(meta.className));
    this.keys.add(this.names.anything());
  }

  /**
   * A row with `prop = value` came or went. A value that is no scalar (a date) matches no
   * equality a read can depend on (such reads depend on the class's members instead).
   */
  private inserted(meta: Meta, prop: string, known: boolean, value: unknown): void {
    const key = known ? scalarKey(this.valueOf(value)) : UNKNOWN_VALUE;
    if (key !== undefined) this.keys.add(this.names.equals(meta.className, prop, key));
  }

  private primaryKey(meta: Meta, values: ReadonlyMap<string, unknown>): string | undefined {
    const parts = meta.primaryKeys.map((name) => values.get(name as string));
    if (parts.some((part) => part === undefined || part === null)) return undefined;
    return valueKey(parts.length === 1 ? this.valueOf(parts[0]) : parts.map(this.valueOf));
  }
}

/** The columns of an entity that equality keys are kept for: scalars and owned foreign keys. */
function columns(meta: Meta): Prop[] {
  return Object.values(meta.properties as Record<string, Prop>).filter(isColumn);
}

function isColumn(prop: Prop): boolean {
  return (
    (prop.kind === 'scalar' || prop.kind === 'm:1' || (prop.kind === '1:1' && !!prop.owner)) &&
    prop.persist !== false
  );
}

/**
 * A row's values by property name: the unit of work and `em.insert()` give property names, the
 * M:N persister gives column names (`post_id`).
 */
function byProp(meta: Meta, row: Row): Map<string, unknown> {
  const values = new Map<string, unknown>();
  const properties = meta.properties as Record<string, Prop | undefined>;
  for (const [name, value] of Object.entries(row)) {
    if (value === undefined) continue;
    if (properties[name]) values.set(name, value);
    else {
      const prop = Object.values(properties).find((candidate) => candidate?.fieldNames?.includes(name));
      if (prop) values.set(prop.name, value);
    }
  }
  return values;
}
