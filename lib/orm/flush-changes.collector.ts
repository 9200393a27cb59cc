import type { ChangeSet, Collection, EntityMetadata, EntityProperty, UnitOfWork } from '@mikro-orm/core';
import { ForeignKey, type ChangeTrigger, type EntityChange } from './entity-change.js';
import type { MikroOrmCore } from './mikro-orm.loader.js';

type AnyEntity = Record<string, unknown>;

/**
 * What a flush is about to write, read in `onFlush`: the only moment the M:N snapshot diffs
 * exist, and before a delete detaches the entity from its relations.
 */
export function collectFlushChanges(core: MikroOrmCore, uow: UnitOfWork): EntityChange[] {
  const changes: EntityChange[] = [];
  for (const changeSet of uow.getChangeSets()) changes.push(...changeSetChanges(core, changeSet));
  for (const collection of uow.getCollectionUpdates()) changes.push(...collectionChanges(collection));
  return changes;
}

/** What an `em.upsert()` touched: the entity, and the parents whose collections may have gained it. */
export function upsertChanges(
  core: MikroOrmCore,
  entity: object,
  meta: EntityMetadata<object>,
): EntityChange[] {
  return [
    { target: entity, trigger: 'upsert', direct: true },
    ...parentChanges(core, entity as AnyEntity, meta),
  ];
}

function changeSetChanges(core: MikroOrmCore, changeSet: ChangeSet<object>): EntityChange[] {
  const entity = changeSet.entity as AnyEntity;
  const meta = changeSet.meta as EntityMetadata<object>;
  const trigger = toTrigger(changeSet.type);
  if (trigger === 'update') {
    const changed = Object.keys(changeSet.payload ?? {});
    const original = (changeSet.originalEntity ?? {}) as AnyEntity;
    return [
      { target: entity, trigger, direct: true, previous: previousValues(meta, entity, original, changed) },
      ...parentChanges(core, entity, meta, changed, original),
    ];
  }
  const changes: EntityChange[] = [
    { target: entity, trigger, direct: true },
    ...parentChanges(core, entity, meta),
  ];
  if (trigger === 'delete') changes.push(...deletedFromCollections(entity, meta));
  return changes;
}

/**
 * A child's foreign key puts it in its parent's 1:N collection. When the parent maps that
 * collection (`mappedBy`), creating, deleting or moving the child changes it: the new parent and,
 * for a move, the previous one (known only by its key) are affected.
 */
function parentChanges(
  core: MikroOrmCore,
  entity: AnyEntity,
  meta: EntityMetadata<object>,
  changed?: readonly string[],
  original?: AnyEntity,
): EntityChange[] {
  const changes: EntityChange[] = [];
  for (const prop of meta.relations as EntityProperty<object>[]) {
    if (!isToOneOwner(prop) || !prop.inversedBy || (changed && !changed.includes(prop.name))) continue;
    const parent = core.Reference.unwrapReference((entity[prop.name] ?? undefined) as object);
    if (parent) changes.push({ target: parent, trigger: 'collection', direct: false });
    const previousKey = original?.[prop.name];
    if (previousKey !== undefined && previousKey !== null && prop.targetMeta) {
      changes.push({
        target: new ForeignKey(prop.targetMeta, previousKey, false),
        trigger: 'collection',
        direct: false,
      });
    }
  }
  return changes;
}

/** A deleted entity leaves the M:N collections it was in; the loaded ones tell which. */
function deletedFromCollections(entity: AnyEntity, meta: EntityMetadata<object>): EntityChange[] {
  const changes: EntityChange[] = [];
  for (const prop of meta.relations as EntityProperty<object>[]) {
    const collection = entity[prop.name] as Collection<object> | undefined;
    if (prop.kind !== 'm:n' || !collection?.isInitialized?.()) continue;
    for (const item of collection.getItems(false))
      changes.push({ target: item, trigger: 'collection', direct: false });
  }
  return changes;
}

/**
 * An M:N collection update: its owner changed, and so did the items added or removed (the
 * snapshot is the database state). 1:N updates are skipped: the children's change sets cover them.
 */
function collectionChanges(collection: Collection<object>): EntityChange[] {
  if (collection.property.kind !== 'm:n') return [];
  const items = collection.getItems(false);
  const snapshot = collection.getSnapshot() ?? [];
  const added = items.filter((item) => !snapshot.includes(item));
  const removed = snapshot.filter((item) => !items.includes(item));
  return [
    { target: collection.owner, trigger: 'collection', direct: true },
    ...[...added, ...removed].map((item): EntityChange => ({
      target: item,
      trigger: 'collection',
      direct: false,
    })),
  ];
}

/** The previous values of changed scalars and to-one references, taken from the change set. */
function previousValues(
  meta: EntityMetadata<object>,
  entity: AnyEntity,
  original: AnyEntity,
  changed: readonly string[],
): ReadonlyMap<string, unknown> | undefined {
  const previous = new Map<string, unknown>();
  for (const name of changed) {
    const prop = (meta.properties as Record<string, EntityProperty<object> | undefined>)[name];
    if (!prop || !(name in original)) continue;
    const value = original[name];
    if (prop.kind === 'scalar') previous.set(name, restoreScalar(value, entity[name]));
    else if (isToOneOwner(prop) && prop.targetMeta) {
      previous.set(
        name,
        value === null || value === undefined ? value : new ForeignKey(prop.targetMeta, value, !!prop.ref),
      );
    }
  }
  return previous.size > 0 ? previous : undefined;
}

/** The change set keeps dates as their database value; give `dependentPaths()` a Date back. */
function restoreScalar(previous: unknown, current: unknown): unknown {
  return current instanceof Date && (typeof previous === 'string' || typeof previous === 'number')
    ? new Date(previous)
    : previous;
}

function isToOneOwner(prop: EntityProperty<object>): boolean {
  return prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner);
}

function toTrigger(type: string): ChangeTrigger {
  if (type.startsWith('create')) return 'create';
  return type.startsWith('delete') ? 'delete' : 'update';
}
