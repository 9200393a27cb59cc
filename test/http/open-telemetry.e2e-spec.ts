import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import request from 'supertest';
import { InvalidationEvents } from '../../lib/observation/invalidation-events.js';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';

/* With @opentelemetry/api and a meter provider, the page cache's counters are metrics. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new CollectingReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
afterAll(() => metrics.disable());

/** The value of one data point of a metric, found by its attributes. */
function valueOf(collected: ResourceMetrics, name: string, attributes: Record<string, unknown>): unknown {
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      const point = metric.dataPoints.find((candidate) =>
        Object.entries(attributes).every(([key, value]) => candidate.attributes[key] === value),
      );
      if (point) return point.value;
    }
  }
  return undefined;
}

describe.each(ADAPTERS)('OpenTelemetry metrics on %s', (adapter) => {
  let pages: PagesApp | undefined;
  afterEach(async () => {
    await pages?.app.close();
    pages = undefined;
  });

  test('requests by outcome and route, renders by stored or why not, and the store', async () => {
    pages = await createPagesApp(adapter, {});
    const get = (path: string) => request(pages!.server).get(path);
    for (let i = 0; i < 3; i++) await get('/items/7').expect(200);
    await get('/items/8').set('Authorization', 'Bearer x').expect(200);
    await get('/cookie').expect(200);
    const { resourceMetrics } = await reader.collect();
    const route = (pattern: string) => ({ 'http.route': pattern, 'http.request.method': 'GET' });
    expect(
      valueOf(resourceMetrics, 'cache_page.requests', {
        ...route('/items/:id'),
        'cache_page.outcome': 'hit',
      }),
    ).toBe(2);
    expect(
      valueOf(resourceMetrics, 'cache_page.requests', {
        ...route('/items/:id'),
        'cache_page.outcome': 'miss',
      }),
    ).toBe(1);
    expect(
      valueOf(resourceMetrics, 'cache_page.requests', {
        ...route('/items/:id'),
        'cache_page.outcome': 'bypass',
        'cache_page.reason': 'credentials',
      }),
    ).toBe(1);
    expect(
      valueOf(resourceMetrics, 'cache_page.renders', { ...route('/items/:id'), 'cache_page.stored': true }),
    ).toBe(1);
    expect(
      valueOf(resourceMetrics, 'cache_page.renders', {
        ...route('/cookie'),
        'cache_page.stored': false,
        'cache_page.reason': 'set-cookie',
      }),
    ).toBe(1);
    expect(valueOf(resourceMetrics, 'cache_page.store.up', {})).toBe(1);
    expect(valueOf(resourceMetrics, 'cache_page.store.errors', {})).toBe(0);
  });

  test('invalidations by entity, and those that went to every page by cause', async () => {
    pages = await createPagesApp(adapter, {});
    // What the subscriber emits after a commit (the ORM suites cover the subscriber itself).
    pages.app
      .get(InvalidationEvents)
      .emit([
        { trigger: 'update', entity: 'Post', id: 1, paths: 'all', reason: 'x', cause: 'unloaded-read' },
      ]);
    const { resourceMetrics } = await reader.collect();
    expect(valueOf(resourceMetrics, 'cache_page.invalidations', { 'cache_page.entity': 'Post' })).toBe(1);
    expect(
      valueOf(resourceMetrics, 'cache_page.invalidations.every_page', {
        'cache_page.entity': 'Post',
        'cache_page.cause': 'unloaded-read',
      }),
    ).toBe(1);
  });
});
