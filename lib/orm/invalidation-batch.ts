import { invalidatedAfterCommitMessage, invalidatedAllMessage } from '../cache-page.messages.js';

interface Entry {
  readonly entity: string;
  readonly trigger: string;
  readonly paths: Set<string>;
  reason?: string;
}

/**
 * What one flush, upsert or transaction invalidates: a de-duplicated set of page paths, or every
 * page. With `debug`, it also remembers which entity and trigger asked for what, for the log.
 */
export class InvalidationBatch {
  readonly paths = new Set<string>();
  private everything = false;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly debug: boolean) {}

  get all(): boolean {
    return this.everything;
  }

  get isEmpty(): boolean {
    return !this.everything && this.paths.size === 0 && this.entries.size === 0;
  }

  addPaths(entity: string, trigger: string, paths: readonly string[]): void {
    for (const path of paths) this.paths.add(path);
    if (!this.debug) return;
    const entry = this.entry(entity, trigger);
    for (const path of paths) entry.paths.add(path);
  }

  /** The batch covers every page (Jimmy Page mode, or a fallback when paths cannot be known). */
  coverAll(entity: string, trigger: string, reason: string): void {
    this.everything = true;
    if (this.debug) this.entry(entity, trigger).reason ??= reason;
  }

  /** Folds a later flush of the same transaction into this batch. */
  merge(other: InvalidationBatch): void {
    for (const path of other.paths) this.paths.add(path);
    this.everything ||= other.everything;
    for (const { entity, trigger, paths, reason } of other.entries.values()) {
      const entry = this.entry(entity, trigger);
      for (const path of paths) entry.paths.add(path);
      if (reason !== undefined) entry.reason ??= reason;
    }
  }

  /** One debug line per entity and trigger. */
  logLines(): string[] {
    return [...this.entries.values()].map(({ entity, trigger, paths, reason }) =>
      reason === undefined
        ? invalidatedAfterCommitMessage(entity, trigger, [...paths])
        : invalidatedAllMessage(entity, trigger, reason),
    );
  }

  private entry(entity: string, trigger: string): Entry {
    const key = `${entity}\u0000${trigger}`;
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { entity, trigger, paths: new Set() }));
    return entry;
  }
}
