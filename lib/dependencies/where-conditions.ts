import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { scalarKey } from './dependency-key.js';
import type { ReadTarget } from './query-dependencies.js';

type Meta = EntityMetadata<object>;
type Prop = EntityProperty<object>;
type Row = Record<string, unknown>;

/** More values than this in one `$in` make a read depend on the column instead. */
const MAX_IN_VALUES = 16;

/** How one condition of a `where` is tracked. */
export interface Conditions {
  /** `prop = value` (or `IN`): equality keys. */
  readonly equal: Map<string, Set<string>>;
  /** Props compared otherwise: their column keys. */
  readonly compared: Set<string>;
  /** The where names only the primary key. */
  pkOnly: boolean;
}

/**
 * Reads a driver `where` (filters applied) into conditions: equalities on the entity's own
 * columns, props compared otherwise; a condition through a relation depends on the related
 * class (`related`), anything else unreadable on the class itself.
 */
export function readWhere(target: ReadTarget, meta: Meta, where: unknown, into: Conditions): void {
  const { keys, deps } = target;
  if (where === undefined || where === null) return;
  if (typeof where !== 'object' || Array.isArray(where)) {
    // A bare primary key (or a list of them).
    return addEqual(into, meta.primaryKeys[0] ?? 'id', where, true);
  }
  for (const [name, condition] of Object.entries(where as Row)) {
    if (name === '$and' && Array.isArray(condition)) {
      for (const part of condition) readWhere(target, meta, part, into);
      continue;
    }
    const prop = (meta.properties as Record<string, Prop | undefined>)[name];
    if (!prop) {
      // `$or`, `$not`, a raw fragment: every prop it names is compared; anything else, the class.
      into.pkOnly = false;
      if (!namesOwnProps(meta, condition, into.compared)) deps.addClass(keys, meta.className);
      continue;
    }
    const isPk = meta.primaryKeys.length === 1 && meta.primaryKeys[0] === name;
    if (!isPk) into.pkOnly = false;
    if (isColumn(prop) && equalityValues(condition) !== undefined) addEqual(into, name, condition, isPk);
    else if (isColumn(prop) && !isNestedEntityCondition(condition)) into.compared.add(name);
    else if (isRelation(prop)) {
      into.compared.add(name);
      relatedClasses(target, prop);
    } else deps.addClass(keys, meta.className);
  }
}

function addEqual(into: Conditions, name: string, condition: unknown, isPk: boolean): void {
  const values = equalityValues(condition);
  if (values === undefined) {
    into.compared.add(name);
    into.pkOnly = false;
    return;
  }
  if (!isPk) into.pkOnly = false;
  let set = into.equal.get(name);
  if (!set) into.equal.set(name, (set = new Set()));
  for (const value of values) set.add(value);
}

/** The equality condition fewest rows can match: not on `null`, fewest values, then by name. */
export function narrowest(equal: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const [prop, values] of [...equal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const score = values.size + (values.has('n') ? 1_000 : 0);
    if (score < bestScore) {
      best = prop;
      bestScore = score;
    }
  }
  return best;
}

/** `v`, `{ $eq: v }`, `{ $in: [v…] }` of scalars: their keys; anything else `undefined`. */
function equalityValues(condition: unknown): string[] | undefined {
  const single = scalarKey(condition);
  if (single !== undefined) return [single];
  if (Array.isArray(condition)) return scalarList(condition);
  if (typeof condition !== 'object' || condition === null || condition instanceof Date) return undefined;
  const entries = Object.entries(condition as Row);
  if (entries.length !== 1) return undefined;
  const [[operator, operand]] = entries as [[string, unknown]];
  if (operator === '$eq') return equalityValues(operand);
  if (operator === '$in' && Array.isArray(operand)) return scalarList(operand);
  return undefined;
}

function scalarList(values: readonly unknown[]): string[] | undefined {
  if (values.length > MAX_IN_VALUES) return undefined;
  const keys = values.map((value) => scalarKey(value));
  return keys.every((key): key is string => key !== undefined) ? keys : undefined;
}

/** A condition on a relation that looks into the related entity (`{ author: { name: 'x' } }`). */
function isNestedEntityCondition(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null || condition instanceof Date) return false;
  return Object.keys(condition).some((key) => !key.startsWith('$'));
}

/** The `where` pins down at most one row: one value of its primary key or of a unique column. */
export function selectsOneRow(meta: Meta, conditions: Conditions): boolean {
  for (const [name, values] of conditions.equal) {
    const prop = (meta.properties as Record<string, Prop | undefined>)[name];
    const unique = prop?.primary || prop?.unique === true || typeof prop?.unique === 'string';
    if (unique && values.size === 1) return true;
  }
  return false;
}

/** Collects the own props named anywhere in a condition; `false` if it names anything else. */
function namesOwnProps(meta: Meta, condition: unknown, into: Set<string>): boolean {
  if (typeof condition !== 'object' || condition === null) return true;
  let own = true;
  for (const [name, value] of Object.entries(condition as Row)) {
    if (name.startsWith('$')) own = namesOwnProps(meta, value, into) && own;
    else if (/^\d+$/.test(name)) own = namesOwnProps(meta, value, into) && own;
    else {
      const prop = (meta.properties as Record<string, Prop | undefined>)[name];
      if (!prop || !isColumn(prop) || isNestedEntityCondition(value)) return false;
      into.add(name);
    }
  }
  return own;
}

/** A scalar, or the owning side of a to-one relation (its foreign key is a column of this row). */
export function isColumn(prop: Prop): boolean {
  return prop.kind === 'scalar' || prop.kind === 'm:1' || (prop.kind === '1:1' && !!prop.owner);
}

/** Any relation kind. */
export function isRelation(prop: Prop): boolean {
  return prop.kind === 'm:1' || prop.kind === '1:1' || prop.kind === '1:m' || prop.kind === 'm:n';
}

/** A condition or order through a relation: the related class (and an M:N pivot) as a whole. */
export function relatedClasses({ keys, deps, metaOf }: ReadTarget, prop: Prop): void {
  const related = prop.targetMeta as Meta | undefined;
  if (related) deps.addClass(keys, related.className);
  const pivot = prop.kind === 'm:n' && prop.pivotEntity ? metaOf(prop.pivotEntity) : undefined;
  if (pivot) deps.addClass(keys, pivot.className);
}
