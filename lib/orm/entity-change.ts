import type { EntityMetadata } from '@mikro-orm/core';

/**
 * Why an entity's pages are invalidated: its own create, update, delete or upsert, or a change of
 * one of its collections (M:N items added or removed, a child moved to or from it).
 */
export type ChangeTrigger = 'create' | 'update' | 'delete' | 'upsert' | 'collection';

/** A related entity known only by its class and primary key (the previous target of a foreign key). */
export class ForeignKey {
  constructor(
    readonly meta: EntityMetadata<object>,
    readonly primaryKey: unknown,
    readonly wrapped: boolean,
  ) {}
}

/** One entity a flush or an upsert touched, recorded when the change is seen. */
export interface EntityChange {
  readonly target: object | ForeignKey;
  readonly trigger: ChangeTrigger;
  /** The entity itself changed, rather than sitting on the other side of a changed relation. */
  readonly direct: boolean;
  /** Previous values of the changed scalars and to-one references (updates only). */
  readonly previous?: ReadonlyMap<string, unknown>;
}
