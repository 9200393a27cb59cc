import { INestApplication } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { createRequire } from 'node:module';
import { AppModule } from './../src/app.module.js';

// Vitest only: Jest's own require() (before Node 24.9) resolves without "module-sync".
describe('nestjs-cache-page in a Nest 12 ESM app: one copy (e2e)', () => {
  let app: INestApplication;

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    await app.init();
  });

  afterEach(async () => {
    await app.close();
  });

  it('require() and import resolve to the one copy the app runs', async () => {
    const require = createRequire(import.meta.url);
    // "module-sync" sends require() to the ESM build too.
    expect(require.resolve('nestjs-cache-page')).toMatch(/[\\/]dist[\\/]index\.js$/);
    const required = require('nestjs-cache-page');
    const imported = await import('nestjs-cache-page');
    expect(required.CachePageService).toBe(imported.CachePageService);
    // The app's own graph imported the package too: its provider is that same class.
    expect(app.get(required.CachePageService)).toBeInstanceOf(imported.CachePageService);
  });
});
