import type { DependencyKeys } from './dependency-key.js';

/** Beyond this many keys, a page's fine keys are replaced by the class keys of what it read. */
export const MAX_PAGE_DEPENDENCIES = 64;

/** The dependencies of one finished render: the keys to store with the page, and its guard. */
export interface CapturedDependencies {
  /** The epoch keys the page depends on, sorted. */
  readonly keys: readonly string[];
  /** Set when the page must not be stored (see `RenderDependencies.untrackable`). */
  readonly untrackable?: string;
  /** The entity classes the render read, by name. */
  readonly classes: readonly string[];
  /** The page had more keys than `MAX_PAGE_DEPENDENCIES` and depends on whole classes instead. */
  readonly coarse: boolean;
  /**
   * The class keys (and the "anything" key) that must not have changed between the render's
   * start and the reading of `keys`' epochs, else a write that committed in between could be
   * missing from the page while its epochs are already the new ones.
   */
  readonly guard: readonly string[];
}

/**
 * What one render read through MikroORM, as dependency keys, collected while it runs. Each key
 * belongs to the entity class it is about, so that a page with too many keys can fall back to
 * depending on those classes as a whole: coarser, never stale.
 */
export class RenderDependencies {
  private readonly byClass = new Map<string, { entity: string; fine: Set<string> }>();
  private readonly anythingKeys = new Set<string>();

  /** `key` (of `keys`' ORM) is a dependency because the render read `entity`. */
  add(keys: DependencyKeys, entity: string, key: string): void {
    const classKey = keys.class(entity);
    let entry = this.byClass.get(classKey);
    if (!entry) {
      entry = { entity, fine: new Set([keys.untracked(entity)]) };
      this.byClass.set(classKey, entry);
    }
    entry.fine.add(key);
  }

  /** The render read `entity` in a way no finer key describes (any write to it matters). */
  addClass(keys: DependencyKeys, entity: string): void {
    this.add(keys, entity, keys.class(entity));
  }

  /** The render read something that names no known entity: any write matters. */
  addAnything(keys: DependencyKeys): void {
    this.anythingKeys.add(keys.anything());
  }

  get isEmpty(): boolean {
    return this.byClass.size === 0 && this.anythingKeys.size === 0;
  }

  /** Why the page must not be stored: a read returned data no epoch can vouch for (a result cache). */
  untrackable: string | undefined;

  /** The keys to store with the page, coarsened to whole classes past `MAX_PAGE_DEPENDENCIES`. */
  finish(): CapturedDependencies {
    const guard = [...this.byClass.keys(), ...this.anythingKeys];
    const fine = new Set<string>(this.anythingKeys);
    for (const { fine: keys } of this.byClass.values()) for (const key of keys) fine.add(key);
    const coarse = fine.size > MAX_PAGE_DEPENDENCIES;
    const keys = coarse ? guard : [...fine];
    return {
      keys: keys.sort(),
      guard: guard.sort(),
      classes: [...new Set([...this.byClass.values()].map(({ entity }) => entity))].sort(),
      coarse,
      ...(this.untrackable !== undefined && { untrackable: this.untrackable }),
    };
  }
}
