import type { AddressInfo } from 'node:net';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import { warmUpFailedMessage, warmUpNotListeningMessage } from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { WARM_UP_DEFAULTS } from '../options/defaults.js';
import type { ResolvedWarmUp } from '../options/grace-options.js';
import { declaredRouteOptions } from '../routes/declared-route-options.js';
import { PageStore } from '../store/page-store.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import { HotPages, type HotPage } from './hot-pages.js';
import { warmPaths, type WarmResult } from './warm-paths.js';
import { requestPage, type AppAddress } from './warm-request.js';

/** How often each instance reads the store's feed of invalidations, ms. */
const POLL_MS = 100;
/** How long the feed keeps an invalidation, ms. */
const FEED_KEEP_MS = 60_000;
/** How long one instance holds a page's warm-up against the others, ms. */
const CLAIM_MS = 30_000;

interface QueuedPage {
  readonly page: HotPage;
  /** When the invalidation that queued it was made, ms. */
  readonly at: number;
  /** When to warm it, ms. */
  readonly due: number;
  /** Tries so far that the store's failure cut short. */
  readonly tries: number;
}

/** Tries of one page's warm-up that the store's failure may cut short, and the wait after each, ms. */
const MAX_TRIES = 5;
const RETRY_MS = 1_000;

/**
 * Warm-up: after an invalidation, the pages this process served within `hitWithin` that depend
 * on the invalidated keys are requested again from the app's own address, `delay` after the
 * commit, at most `concurrency` at once, through the app's middleware, guards and the cache (which
 * renders and stores them). Invalidations reach every instance through the store's feed (Redis);
 * an instance claims each page's warm-up (`SET NX`), so two never warm the same page for one
 * change. A burst of writes warms each page once; nothing is warmed while the store is down.
 */
@Injectable()
export class WarmUp implements OnApplicationBootstrap, OnModuleDestroy {
  /** Pages served lately; the cache records them while warm-up is on. */
  readonly pages = new HotPages();
  private readonly settings: ResolvedWarmUp;
  private active = false;
  private readonly queue = new Map<string, QueuedPage>();
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private seenUntil = Date.now();
  private seenAt = new Set<string>();
  private stopped = false;
  private readonly log = new ThrottledLogger();

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly modules: ModulesContainer,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.settings = options.warmUp ?? WARM_UP_DEFAULTS;
  }

  onApplicationBootstrap(): void {
    this.active =
      this.options.warmUp !== undefined ||
      [...declaredRouteOptions(this.modules)].some((route) => route.warmUp === true);
    if (!this.active) return;
    this.store.onRenewed((keys) => this.renewed(keys));
    if (this.store.hasFeed) {
      this.poller = setInterval(() => void this.poll(), POLL_MS);
      this.poller.unref();
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.poller);
  }

  /** Whether any route warms its pages (the cache then records the pages it serves). */
  get on(): boolean {
    return this.active;
  }

  /** How many warm-up requests run now. */
  get inFlight(): number {
    return this.running;
  }

  /** Where the app listens, as this process reaches it; `undefined` before `listen()`. */
  address(): AppAddress | undefined {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      { address?: () => AddressInfo | string | null } | undefined;
    const address = server?.address?.();
    if (!address || typeof address === 'string') return undefined;
    const any = address.address === '::' || address.address === '0.0.0.0';
    const host = any ? (address.family === 'IPv6' ? '::1' : '127.0.0.1') : address.address;
    return { host: host.includes(':') ? `[${host}]` : host, port: address.port };
  }

  /**
   * Renders and stores these pages now (see `CachePageService.warm()`): as a visitor of `origin`,
   * by default the origin of the page this process served last, else the app's own address.
   */
  async warm(paths: readonly string[], origin?: string): Promise<WarmResult[]> {
    const address = this.address();
    if (!address) throw new Error(warmUpNotListeningMessage());
    return warmPaths(address, origin ?? this.pages.lastOrigin ?? '', paths, this.settings.concurrency);
  }

  private retry(queued: QueuedPage): void {
    if (queued.tries + 1 >= MAX_TRIES || this.queue.has(queued.page.id)) return;
    this.queue.set(queued.page.id, { ...queued, due: Date.now() + RETRY_MS, tries: queued.tries + 1 });
  }

  private renewed(keys: readonly string[]): void {
    const at = Date.now();
    if (this.store.hasFeed) void this.store.announce(keys, at, FEED_KEEP_MS);
    else this.schedule(keys, at);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped || this.store.status().down) return;
    this.polling = true;
    try {
      const entries = await this.store.announcedSince(this.seenUntil);
      if (!entries) return;
      const byTime = new Map<number, string[]>();
      for (const [key, at] of entries) {
        const seen = `${at} ${key}`;
        if (this.seenAt.has(seen)) continue;
        if (at > this.seenUntil) [this.seenUntil, this.seenAt] = [at, new Set()];
        if (at === this.seenUntil) this.seenAt.add(seen);
        byTime.set(at, [...(byTime.get(at) ?? []), key]);
      }
      for (const [at, keys] of byTime) this.schedule(keys, at);
    } finally {
      this.polling = false;
    }
  }

  /** Queues the hot pages under `keys`, invalidated `at`; a newer invalidation postpones a queued page. */
  private schedule(keys: readonly string[], at: number): void {
    const since = at - this.settings.hitWithin;
    for (const page of this.pages.dependingOn(keys, this.store.globalKey, since)) {
      const queued = this.queue.get(page.id);
      if (!queued || queued.at < at)
        this.queue.set(page.id, { page, at, due: at + this.settings.delay, tries: 0 });
    }
    this.kick();
  }

  private kick(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const now = Date.now();
    let next = Infinity;
    for (const queued of this.queue.values()) {
      if (this.running >= this.settings.concurrency) break;
      if (queued.due > now) {
        next = Math.min(next, queued.due);
        continue;
      }
      if (this.store.status().down) {
        next = Math.min(next, now + 1_000); // paused while the store is down
        break;
      }
      this.queue.delete(queued.page.id);
      void this.warmQueued(queued);
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => this.kick(), Math.max(0, next - now));
      this.timer.unref();
    }
  }

  private async warmQueued(queued: QueuedPage): Promise<void> {
    const { page, at } = queued;
    this.running += 1;
    try {
      const address = this.address();
      if (!address) return this.log.warnEvery('warm-up address', () => warmUpNotListeningMessage());
      const claimed = await this.store.claim(`warm:${page.id}@${at}:${queued.tries}`, CLAIM_MS);
      if (claimed === false) return;
      // The store failed (no claim, or the page was served around it): warmed again once it answers.
      const answer = claimed ? await requestPage(address, page.origin, page.url) : undefined;
      if (answer?.cache === undefined) this.retry(queued);
    } catch (error) {
      this.log.error(`warm-up ${page.url}`, (suppressed) => warmUpFailedMessage(page.url, suppressed), error);
    } finally {
      this.running -= 1;
      this.kick();
    }
  }
}
