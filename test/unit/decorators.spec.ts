import { describe, expect, test } from '@jest/globals';
import { CACHE_PAGE_METADATA, CachePage, NO_CACHE_PAGE_METADATA, NoCachePage } from 'nestjs-cache-page';

describe('route decorators', () => {
  test('@CachePage() and @NoCachePage() land on the method or the class', () => {
    @CachePage({ ttl: 5 })
    class Controller {
      @NoCachePage()
      skipped() {}
    }
    expect(Reflect.getMetadata(CACHE_PAGE_METADATA, Controller)).toEqual({ ttl: 5 });
    expect(Reflect.getMetadata(NO_CACHE_PAGE_METADATA, Controller.prototype.skipped)).toBe(true);
    expect(Reflect.getMetadata(NO_CACHE_PAGE_METADATA, Controller)).toBeUndefined();
  });

  test('@CachePage() rejects a bad ttl where it is written', () => {
    expect(() => CachePage({ ttl: -5 })).toThrow(/@CachePage\(\): "ttl" must be a number of milliseconds/);
  });
});
