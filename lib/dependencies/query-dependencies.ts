import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { UNKNOWN_VALUE, valueKey, type DependencyKeys } from './dependency-key.js';
import {
  isColumn,
  isRelation,
  narrowest,
  readWhere,
  relatedClasses,
  selectsOneRow,
  type Conditions,
} from './where-conditions.js';
import type { RenderDependencies } from './render-dependencies.js';

type Meta = EntityMetadata<object>;
type Prop = EntityProperty<object>;
type Row = Record<string, unknown>;

/** Where a read's keys go: the ORM's key names, the render's dependencies, its metadata. */
export interface ReadTarget {
  readonly keys: DependencyKeys;
  readonly deps: RenderDependencies;
  /** The metadata of an entity by name (pivot entities included). */
  readonly metaOf: (entity: unknown) => Meta | undefined;
}

/** One read as MikroORM's driver got it: the entity, its `where` (filters applied), and options. */
export interface DriverRead {
  readonly meta: Meta;
  readonly where: unknown;
  readonly orderBy?: unknown;
  readonly offset?: number;
  /** `count()`: the result has no rows to depend on, only the number of them. */
  readonly counts: boolean;
  readonly rows: readonly unknown[];
  /**
   * The to-many relations loaded with the rows whose members were filtered (`populateWhere`,
   * a filter of the related entity): members left out can come in by an edit no key names.
   */
  readonly filteredPopulate?: readonly Meta[];
}

/**
 * The dependencies of one driver read (DESIGN.md §3, README "Automatic dependencies"):
 * - a read by primary key depends on those rows, found or not;
 * - any other read depends on its equality conditions (`author = 7`: a row joining or leaving
 *   author 7), on the columns it compared otherwise or sorted on, on inserts and deletes when no
 *   equality narrows it, and on the rows it returned (their edits);
 * - a count or an offset page also depends on the columns of its equality conditions (a row
 *   leaving the set changes the count, or what an offset skips, without being shown);
 * - conditions or sorting through a relation depend on the related class as a whole.
 */
export function recordDriverRead(target: ReadTarget, read: DriverRead): void {
  const { keys, deps } = target;
  const { meta } = read;
  const entity = meta.className;
  if (meta.embeddable || meta.virtual) return deps.addClass(keys, meta.className);
  const conditions: Conditions = { equal: new Map(), compared: new Set(), pkOnly: true };
  readWhere(target, meta, read.where, conditions);
  if (conditions.pkOnly && conditions.equal.size > 0) {
    const found = new Set(read.rows.map((row) => valueKey(primaryKeyOf(meta, (row ?? {}) as Row))));
    for (const value of conditions.equal.values().next().value ?? []) {
      deps.add(keys, entity, keys.row(entity, value));
      // Not found: an insert (of that key or any) is what would change it.
      if (!found.has(value)) deps.add(keys, entity, keys.members(entity));
    }
  } else {
    const chosen = narrowest(conditions.equal);
    if (chosen) {
      // A row joining by insert matches every condition: one of them is enough to hear of it.
      for (const value of conditions.equal.get(chosen)!)
        deps.add(keys, entity, keys.equals(entity, chosen, value));
      deps.add(keys, entity, keys.equals(entity, chosen, UNKNOWN_VALUE));
    } else deps.add(keys, entity, keys.members(entity));
    for (const [prop, values] of conditions.equal) {
      // A row joining by update changed at least one of them to the value asked for.
      for (const value of values) deps.add(keys, entity, keys.moved(entity, prop, value));
      if (read.counts || (read.offset ?? 0) > 0) deps.add(keys, entity, keys.column(entity, prop));
    }
  }
  for (const prop of conditions.compared) deps.add(keys, entity, keys.column(entity, prop));
  readOrderBy(target, meta, read.orderBy, selectsOneRow(meta, conditions));
  for (const row of read.rows) recordRow(target, meta, row);
  for (const related of read.filteredPopulate ?? []) deps.addClass(keys, related.className);
}

/**
 * A row the render was given (and what came joined with it): its own key, and for each to-many
 * relation loaded with it, the membership of that collection.
 */
export function recordRow(target: ReadTarget, meta: Meta, row: unknown): void {
  const { keys, deps } = target;
  if (typeof row !== 'object' || row === null) return;
  const data = row as Row;
  const pk = primaryKeyOf(meta, data);
  if (!meta.pivotTable && pk !== undefined)
    deps.add(keys, meta.className, keys.row(meta.className, valueKey(pk)));
  for (const prop of meta.relations as Prop[]) {
    const value = data[prop.name];
    if (value === undefined || value === null || !prop.targetMeta) continue;
    if (Array.isArray(value)) {
      if (pk !== undefined) recordMembership(target, prop, pk);
      for (const item of value) recordRow(target, prop.targetMeta as Meta, item);
    } else if (typeof value === 'object' && !(value instanceof Date)) {
      recordRow(target, prop.targetMeta as Meta, value);
    }
  }
}

/** The render saw the members of `owner`'s to-many `prop`: a row joining or leaving it matters. */
export function recordMembership(target: ReadTarget, prop: Prop, owner: unknown): void {
  const { keys, deps } = target;
  const value = valueKey(owner);
  const member = membershipColumn(target, prop);
  if (!member) return relatedClasses(target, prop);
  deps.add(keys, member.entity, keys.equals(member.entity, member.column, value));
  deps.add(keys, member.entity, keys.equals(member.entity, member.column, UNKNOWN_VALUE));
  deps.add(keys, member.entity, keys.moved(member.entity, member.column, value));
}

/**
 * Where the members of a to-many relation are listed: the children's foreign key (1:N), or the
 * pivot entity's column holding the owner's key (M:N, as MikroORM's `loadFromPivotTable` reads it).
 */
export function membershipColumn(
  target: ReadTarget,
  prop: Prop,
): { entity: string; column: string } | undefined {
  const child = prop.targetMeta as Meta | undefined;
  if (prop.kind === '1:m' && prop.mappedBy && child)
    return { entity: child.className, column: prop.mappedBy };
  if (prop.kind !== 'm:n' || !prop.pivotEntity) return undefined;
  const pivot = target.metaOf(prop.pivotEntity);
  const column = pivot?.relations[prop.owner ? 0 : 1]?.name;
  return pivot && column ? { entity: pivot.className, column } : undefined;
}

/**
 * Sorting depends on the sorted columns. Through a relation (`{ posts: { publishedAt: 'desc' } }`)
 * it depends on the related columns; which related rows count also depends on the relation's
 * members, unless the query selects a single row (then the sort only orders its loaded
 * collection, whose members it already depends on).
 */
function readOrderBy(target: ReadTarget, meta: Meta, orderBy: unknown, oneRow: boolean): void {
  const { keys, deps } = target;
  for (const order of Array.isArray(orderBy) ? orderBy : orderBy ? [orderBy] : []) {
    if (typeof order !== 'object' || order === null) continue;
    for (const [name, direction] of Object.entries(order as Row)) {
      const prop = (meta.properties as Record<string, Prop | undefined>)[name];
      const related = prop?.targetMeta as Meta | undefined;
      if (!prop) deps.addClass(keys, meta.className);
      else if (isColumn(prop) && (typeof direction !== 'object' || direction === null)) {
        deps.add(keys, meta.className, keys.column(meta.className, name));
      } else if (isRelation(prop) && related && typeof direction === 'object' && direction !== null) {
        if (isColumn(prop)) deps.add(keys, meta.className, keys.column(meta.className, name));
        else if (!oneRow) membersOfRelation(target, prop);
        readOrderBy(target, related, direction, oneRow || !isColumn(prop));
      } else if (isRelation(prop)) relatedClasses(target, prop);
      else deps.addClass(keys, meta.className);
    }
  }
}

/** Any change of which rows belong to a to-many relation, whoever owns them. */
function membersOfRelation(target: ReadTarget, prop: Prop): void {
  const member = membershipColumn(target, prop);
  if (member) target.deps.add(target.keys, member.entity, target.keys.column(member.entity, member.column));
  if (member) target.deps.add(target.keys, member.entity, target.keys.members(member.entity));
  else relatedClasses(target, prop);
}

function primaryKeyOf(meta: Meta, row: Row): unknown {
  if (meta.primaryKeys.length === 1) return foreignValue(row[meta.primaryKeys[0] as string]);
  const parts = meta.primaryKeys.map((name) => foreignValue(row[name as string]));
  return parts.some((part) => part === undefined) ? undefined : parts;
}

/** A related row given as its data: its key. */
function foreignValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date || Array.isArray(value))
    return value;
  const keys = Object.values(value as Row);
  return keys.length === 1 ? keys[0] : undefined;
}
