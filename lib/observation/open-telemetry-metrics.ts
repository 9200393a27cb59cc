import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import { PageStore } from '../store/page-store.js';
import { loadOpenTelemetry } from './open-telemetry.loader.js';
import { PageStats } from './page-stats.js';

/**
 * The counters of `stats()` as OpenTelemetry metrics, when the app has `@opentelemetry/api`
 * (an optional peer) and a meter provider: asynchronous instruments read the counters when the
 * app's reader collects, so a hit costs nothing more. Names follow OpenTelemetry's conventions:
 * a `cache_page.` namespace, units in braces, `http.route` and `http.request.method` for the route.
 */
@Injectable()
export class OpenTelemetryMetrics implements OnModuleInit, OnModuleDestroy {
  private detach: (() => void) | undefined;

  constructor(
    private readonly stats: PageStats,
    private readonly store: PageStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const api = await loadOpenTelemetry();
    if (api) this.detach = this.observe(api.metrics.getMeter('nestjs-cache-page'));
  }

  onModuleDestroy(): void {
    this.detach?.();
  }

  private observe(meter: Meter): () => void {
    const requests = meter.createObservableCounter('cache_page.requests', {
      unit: '{request}',
      description: 'GET and HEAD requests by what the page cache did: hit, miss or bypass (with the reason).',
    });
    const renders = meter.createObservableCounter('cache_page.renders', {
      unit: '{render}',
      description: 'Misses rendered for the page cache, stored or not (with the reason).',
    });
    const invalidations = meter.createObservableCounter('cache_page.invalidations', {
      unit: '{transaction}',
      description: 'Committed transactions that invalidated pages, by entity class.',
    });
    const everyPage = meter.createObservableCounter('cache_page.invalidations.every_page', {
      unit: '{transaction}',
      description: 'Of those, the ones that invalidated every page instead, by entity class and cause.',
    });
    const errors = meter.createObservableCounter('cache_page.store.errors', {
      unit: '{error}',
      description: 'Store calls that failed or timed out.',
    });
    const up = meter.createObservableGauge('cache_page.store.up', {
      unit: '1',
      description: '1 while the store answers, 0 while pages are served uncached because it does not.',
    });
    const callback: BatchObservableCallback = (result) => {
      this.stats.forEachRoute((pattern, counters) => {
        const route = {
          'http.request.method': 'GET',
          ...(pattern !== undefined && { 'http.route': pattern }),
        };
        result.observe(requests, counters.hits, { ...route, 'cache_page.outcome': 'hit' });
        result.observe(requests, counters.misses, { ...route, 'cache_page.outcome': 'miss' });
        for (const [reason, count] of Object.entries(counters.bypasses)) {
          result.observe(requests, count, {
            ...route,
            'cache_page.outcome': 'bypass',
            'cache_page.reason': reason,
          });
        }
        result.observe(renders, counters.stored, { ...route, 'cache_page.stored': true });
        for (const [reason, count] of Object.entries(counters.notStored)) {
          result.observe(renders, count, {
            ...route,
            'cache_page.stored': false,
            'cache_page.reason': reason,
          });
        }
      });
      this.stats.forEachEntity((entity, count, byCause) => {
        result.observe(invalidations, count, { 'cache_page.entity': entity });
        for (const [cause, fallbacks] of Object.entries(byCause)) {
          result.observe(everyPage, fallbacks, { 'cache_page.entity': entity, 'cache_page.cause': cause });
        }
      });
      const status = this.store.status();
      result.observe(errors, status.errors);
      result.observe(up, status.down ? 0 : 1);
    };
    const observables: Observable[] = [requests, renders, invalidations, everyPage, errors, up];
    meter.addBatchObservableCallback(callback, observables);
    return () => meter.removeBatchObservableCallback(callback, observables);
  }
}
