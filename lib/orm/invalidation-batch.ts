import { invalidatedAfterCommitMessage, invalidatedAllMessage } from '../cache-page.messages.js';
import type {
  EveryPageCause,
  InvalidationRecord,
  InvalidationTrigger,
} from '../observation/invalidation-record.js';

/** The entity a record is about: its class name, primary key, and `Post#1` for the logs. */
export interface RecordSubject {
  readonly entity: string;
  readonly id: unknown;
  readonly label: string;
}

interface Entry {
  readonly subject: RecordSubject | undefined;
  readonly trigger: InvalidationTrigger;
  readonly paths: Set<string>;
  readonly keys: Set<string>;
  reason?: string;
  cause?: EveryPageCause;
}

/**
 * What one flush, upsert or transaction invalidates: a de-duplicated set of page paths, or every
 * page, and a record of which entity and trigger asked for what (for debug logs, events and
 * `explain()`).
 */
export class InvalidationBatch {
  readonly paths = new Set<string>();
  /** Dependency keys to renew (`dependencies: 'auto'`), already epoch keys. */
  readonly keys = new Set<string>();
  private everything = false;
  private readonly entries = new Map<string, Entry>();

  get all(): boolean {
    return this.everything;
  }

  get isEmpty(): boolean {
    return !this.everything && this.paths.size === 0 && this.keys.size === 0 && this.entries.size === 0;
  }

  /** A write seen by automatic dependency tracking renews these keys. */
  addKeys(subject: RecordSubject | undefined, trigger: InvalidationTrigger, keys: Iterable<string>): void {
    const entry = this.entry(subject, trigger);
    for (const key of keys) {
      this.keys.add(key);
      entry.keys.add(key);
    }
  }

  addPaths(subject: RecordSubject, trigger: InvalidationTrigger, paths: readonly string[]): void {
    const entry = this.entry(subject, trigger);
    for (const path of paths) {
      this.paths.add(path);
      entry.paths.add(path);
    }
  }

  /** The batch covers every page (Jimmy Page mode, or a fallback when paths cannot be known). */
  coverAll(
    subject: RecordSubject | undefined,
    trigger: InvalidationTrigger,
    cause: EveryPageCause,
    reason: string,
  ): void {
    this.everything = true;
    const entry = this.entry(subject, trigger);
    if (entry.reason !== undefined) return;
    entry.reason = reason;
    entry.cause = cause;
  }

  /** Folds a later flush of the same transaction into this batch. */
  merge(other: InvalidationBatch): void {
    for (const path of other.paths) this.paths.add(path);
    for (const key of other.keys) this.keys.add(key);
    this.everything ||= other.everything;
    for (const { subject, trigger, paths, keys, reason, cause } of other.entries.values()) {
      const entry = this.entry(subject, trigger);
      for (const path of paths) entry.paths.add(path);
      for (const key of keys) entry.keys.add(key);
      if (reason !== undefined && entry.reason === undefined) {
        entry.reason = reason;
        entry.cause = cause;
      }
    }
  }

  /** One record per entity and trigger. */
  records(): InvalidationRecord[] {
    return [...this.entries.values()].map(({ subject, trigger, paths, keys, reason, cause }) => ({
      trigger,
      ...(subject && { entity: subject.entity, ...(subject.id !== undefined && { id: subject.id }) }),
      paths: reason === undefined ? [...paths] : 'all',
      ...(keys.size > 0 && { keys: [...keys].sort() }),
      ...(reason !== undefined && { reason, cause }),
    }));
  }

  /** One debug line per entity and trigger. */
  logLines(): string[] {
    return [...this.entries.values()].map(({ subject, trigger, paths, keys, reason }) => {
      const label = subject?.label ?? '(entity changes)';
      return reason === undefined
        ? invalidatedAfterCommitMessage(label, trigger, [...paths, ...keys])
        : invalidatedAllMessage(label, trigger, reason);
    });
  }

  private entry(subject: RecordSubject | undefined, trigger: InvalidationTrigger): Entry {
    const key = `${subject?.label ?? ''}\u0000${trigger}`;
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { subject, trigger, paths: new Set(), keys: new Set() }));
    return entry;
  }
}
