import { randomBytes } from 'node:crypto';
import type { PurgeIntent, PurgeIntentLog } from './backends/page-backend.js';
import type { StoreContext } from './store-context.js';

export type { PurgeIntent } from './backends/page-backend.js';

/**
 * This process's purge intents in a store that keeps them (Redis): recorded before an
 * invalidation, cleared once every edge acknowledged the purge, and claimed from writers that
 * died between the two. Every call is bounded by the store deadline and never rejects. While
 * this process holds intents it keeps itself alive for the others, so they never claim a live
 * writer's intent.
 */
export class PurgeIntents {
  private readonly held = new Set<string>();

  constructor(
    private readonly context: StoreContext,
    private readonly log: PurgeIntentLog,
  ) {}

  /** Records an intent to purge `keys` (surrogate keys); gives its id, or `undefined` when the store did not take it. */
  async record(keys: readonly string[]): Promise<string | undefined> {
    const intent = { id: randomBytes(9).toString('base64url'), keys };
    this.hold(intent.id);
    const recorded = await this.context.attempt('record a purge intent', async () => {
      await this.log.record(intent, this.context.writer);
      return true;
    });
    if (recorded) return intent.id;
    this.release([intent.id]);
    return undefined;
  }

  /** The intents were purged everywhere: forgets them. */
  async clear(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.context.attempt('clear a purge intent', () => this.log.clear(ids));
    this.release(ids);
  }

  /** Intents whose writers died before clearing them, now this process's to send. */
  async claim(): Promise<readonly PurgeIntent[]> {
    const claimed =
      (await this.context.attempt('claim purge intents', () => this.log.claim(this.context.writer))) ?? [];
    for (const intent of claimed) this.hold(intent.id);
    return claimed;
  }

  private hold(id: string): void {
    this.held.add(id);
    if (this.held.size === 1) this.context.backend.leases?.heartbeat(this.context.writer, true, 'intents');
  }

  private release(ids: readonly string[]): void {
    for (const id of ids) this.held.delete(id);
    if (this.held.size === 0) this.context.backend.leases?.heartbeat(this.context.writer, false, 'intents');
  }
}
