/**
 * This process's leases, as it must remember them: how many open (not yet committed or rolled
 * back) transactions hold each epoch key, and which keys may still name this process as a writer
 * in the store. The process keeps itself alive for readers while any key does, and a renewal of
 * a key leaves its lease only when no open transaction of this process still holds it.
 */
export class LeaseBook {
  private readonly open = new Map<string, number>();
  private readonly named = new Set<string>();

  /** A transaction leased these keys. */
  take(keys: readonly string[]): void {
    for (const key of keys) {
      this.open.set(key, (this.open.get(key) ?? 0) + 1);
      this.named.add(key);
    }
  }

  /** That transaction ended (committed or rolled back); its renewal follows. */
  end(keys: readonly string[]): void {
    for (const key of keys) {
      const count = (this.open.get(key) ?? 0) - 1;
      if (count > 0) this.open.set(key, count);
      else this.open.delete(key);
    }
  }

  /** Keys an open transaction still holds: a renewal must keep this process in their lease. */
  get stillHeld(): ReadonlySet<string> {
    return new Set(this.open.keys());
  }

  /** A renewal of these keys succeeded: the store no longer names this process for the unheld ones. */
  renewed(keys: readonly string[]): void {
    for (const key of keys) if (!this.open.has(key)) this.named.delete(key);
  }

  /** Whether the store may still name this process in some lease (it must then stay alive). */
  get isNamed(): boolean {
    return this.named.size > 0;
  }
}
