import { describe, expect, test } from '@jest/globals';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { type Response } from 'express';
import request from 'supertest';
import { markNeverServed } from '../../../lib/http/no-store-uncached.js';

/** An Express app whose one route lets `route` prepare the response, then marks it and sends it. */
function appMarking(noStoreUncached: boolean, route: (res: Response) => void = () => {}) {
  const adapter = new ExpressAdapter();
  const app = express();
  app.get('/', (_req, res) => {
    route(res);
    markNeverServed(adapter, res, noStoreUncached);
    res.end('page');
  });
  return app;
}

describe('responses the cache never serves (noStoreUncached)', () => {
  test('tell browsers not to keep them either', async () => {
    const response = await request(appMarking(true)).get('/');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  test('are left alone when noStoreUncached is off', async () => {
    const response = await request(appMarking(false)).get('/');
    expect(response.headers['cache-control']).toBeUndefined();
  });

  test("keep the app's own Cache-Control", async () => {
    const app = appMarking(true, (res) => res.setHeader('Cache-Control', 'public, max-age=60'));
    const response = await request(app).get('/');
    expect(response.headers['cache-control']).toBe('public, max-age=60');
  });

  test('are left as they are once their headers went out', async () => {
    const app = appMarking(true, (res) => res.flushHeaders());
    const response = await request(app).get('/');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBeUndefined();
  });
});
