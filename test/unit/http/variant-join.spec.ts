import { describe, expect, test } from '@jest/globals';
import { InFlightRenders } from '../../../lib/http/in-flight-renders.js';
import { HeaderInputs } from '../../../lib/http/request-inputs.js';
import { joinRender } from '../../../lib/http/variant-join.js';
import { newPageEntry, type VariedInput } from '../../../lib/store/page-entry.js';
import type { CachedPage, PageLookup } from '../../../lib/store/page-store.js';

const missed: PageLookup = {
  page: undefined,
  pathEpoch: 'p1',
  globalEpoch: 'g1',
  vary: undefined,
  storageKey: 'cache-page:GET:http://blog.example/posts',
};

function renderedPage(varied: readonly VariedInput[]): CachedPage {
  const draft = { status: 200, headers: [], etag: 'W/"1"', ttl: 0, varied };
  return {
    entry: newPageEntry(draft, 'digest', 4, ['p1', 'g1']),
    body: { digest: 'digest', bytes: Buffer.from('page') },
  };
}

const german = new HeaderInputs({ 'accept-language': 'de-DE,de;q=0.9' }, ['en', 'de']);
const english = new HeaderInputs({ 'accept-language': 'en-GB,en;q=0.9' }, ['en', 'de']);

describe('joining the render already running for a missed page', () => {
  test('nothing to join when no render of the page is running', () => {
    expect(joinRender(new InFlightRenders(), missed, german)).toBeUndefined();
  });

  test('a request gets the joined render page when it is the variant it asks for', async () => {
    const renders = new InFlightRenders();
    const render = renders.begin(missed.storageKey, 'p1', 'g1');
    const joined = joinRender(renders, missed, german);
    const page = renderedPage([['accept-language', 'de']]);
    render.finish(page);
    await expect(joined).resolves.toBe(page);
  });

  test('a page that does not vary answers every request that joined it', async () => {
    const renders = new InFlightRenders();
    const render = renders.begin(missed.storageKey, 'p1', 'g1');
    const joined = joinRender(renders, missed, english);
    const page = renderedPage([]);
    render.finish(page);
    await expect(joined).resolves.toBe(page);
  });

  test('another variant (another language) is no answer: the request renders its own', async () => {
    const renders = new InFlightRenders();
    const render = renders.begin(missed.storageKey, 'p1', 'g1');
    const joined = joinRender(renders, missed, english);
    render.finish(renderedPage([['accept-language', 'de']]));
    await expect(joined).resolves.toBeUndefined();
  });

  test('a render that stored nothing hands nothing on', async () => {
    const renders = new InFlightRenders();
    const render = renders.begin(missed.storageKey, 'p1', 'g1');
    const joined = joinRender(renders, missed, german);
    render.finish(undefined);
    await expect(joined).resolves.toBeUndefined();
  });

  test('a render begun under other epochs (an invalidation in between) is not joined', () => {
    const renders = new InFlightRenders();
    renders.begin(missed.storageKey, 'p0', 'g1');
    expect(joinRender(renders, missed, german)).toBeUndefined();
  });
});
