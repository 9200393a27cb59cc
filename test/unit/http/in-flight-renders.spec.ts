import { describe, expect, test } from '@jest/globals';
import { InFlightRenders } from '../../../lib/http/in-flight-renders.js';
import type { CachedPage } from '../../../lib/store/page-store.js';

describe('single-flight renders', () => {
  test('a miss joins the render running under the same epochs, and gets its page', async () => {
    const renders = new InFlightRenders();
    const render = renders.begin('k', 'p1', 'g1');
    const joined = renders.join('k', 'p1', 'g1');
    const page = { entry: {}, body: {} } as CachedPage;
    render.finish(page);
    await expect(joined).resolves.toBe(page);
    expect(renders.join('k', 'p1', 'g1')).toBeUndefined();
  });

  test('a miss that read other epochs (an invalidation came in between) never joins', () => {
    const renders = new InFlightRenders();
    renders.begin('k', 'p1', 'g1');
    expect(renders.join('k', 'p2', 'g1')).toBeUndefined();
    expect(renders.join('k', 'p1', 'g2')).toBeUndefined();
    expect(renders.join('other', 'p1', 'g1')).toBeUndefined();
  });
});
