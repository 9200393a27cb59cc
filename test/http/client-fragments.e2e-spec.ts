import { afterEach, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectHit } from '../support/cache-assertions.js';
import { ADAPTERS } from './fixtures/create-pages-app.js';
import { createFragmentApp, type FragmentApp } from './fixtures/fragment-app.js';

/*
 * `@CachePage({ fragments: 'client' })`: every response is the same page, with a placeholder in
 * each place (a CDN may keep it: no `private`, fast hits), and the module's endpoint gives each
 * visitor their own values as JSON, never stored, never to another site's page.
 */
describe.each(ADAPTERS)('client-side fragments on %s', (adapter) => {
  let site: FragmentApp | undefined;
  afterEach(async () => {
    await site?.app.close();
    site = undefined;
  });
  async function signedIn(name: string) {
    const agent = request.agent(site!.server);
    await agent.post(`/login?name=${name}`).expect(201);
    return agent;
  }
  async function cachedSoon(path: string) {
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await request(site!.server).head(path)).headers['x-cache'] === 'HIT') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${path} was not stored`);
  }

  test('every visitor gets the same stored page with placeholders, shareable by an edge', async () => {
    site = await createFragmentApp(adapter, { options: { fastPath: 'auto' } });
    const alice = await signedIn('alice');
    const miss = await alice.get('/edge').expect(200);
    expect(miss.text).toContain('<header><!--page-fragment:greeting--> <!--page-fragment:badge--></header>');
    expect(miss.text).toContain('name="_csrf" value="<!--page-fragment:csrf-token-->"');
    expect(miss.text).not.toContain('alice');
    expect(miss.headers['cache-control']).toBe('no-cache');
    await cachedSoon('/edge');
    const bob = await signedIn('bob');
    const hit = await bob.get('/edge').expect(200);
    expectHit(hit);
    expect(hit.text).toBe(miss.text);
    expect(hit.headers.etag).toBe(miss.headers.etag);
    expect(hit.headers['cache-control']).toBe('no-cache');
    expect(site.counters.of('edge')).toBe(1);
    expect(site.counters.of('greeting')).toBe(0);
  });

  test("the endpoint answers each visitor's own values as HTML strings, never stored", async () => {
    site = await createFragmentApp(adapter);
    const alice = await signedIn('<alice>');
    const values = await alice
      .get('/_cache-page/fragments?names=greeting,badge,csrf-token,unknown')
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(200);
    expect(values.headers['cache-control']).toBe('private, no-store');
    expect(values.body.greeting).toBe('Hi, &lt;alice&gt;');
    expect(values.body.badge).toBe('<b class="badge">member</b>');
    expect(values.body['csrf-token']).toMatch(/.{8,}/);
    expect(values.body.unknown).toBe('');
    await alice.post('/comment').set('x-csrf-token', values.body['csrf-token']).expect(201);
    const guest = await request(site.server).get('/_cache-page/fragments?names=greeting').expect(200);
    expect(guest.body).toEqual({ greeting: 'Hi, guest' });
  });

  test("another site's page gets nothing, and bad names are refused with the fix", async () => {
    site = await createFragmentApp(adapter);
    const alice = await signedIn('alice');
    await alice
      .get('/_cache-page/fragments?names=csrf-token')
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    await alice.get('/_cache-page/fragments?names=csrf-token').set('Sec-Fetch-Site', 'same-site').expect(403);
    const bad = await alice.get('/_cache-page/fragments?names=a%20b').expect(400);
    expect(bad.text).toContain('?names= must list 1 to 32 fragment names');
    await alice.get('/_cache-page/fragments').expect(400);
  });

  test('with fragments in use, an event stream still goes out as it comes', async () => {
    site = await createFragmentApp(adapter);
    const { port } = site.server.address() as AddressInfo;
    // The stream never ends: its first event arriving proves nothing holds it back.
    const first = await new Promise<string>((resolve, reject) => {
      const call = httpGet(
        { host: '127.0.0.1', port, path: '/events', headers: { 'accept-encoding': 'gzip, br' } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (!text.includes('data: first')) return;
            resolve(text);
            call.destroy();
          });
        },
      );
      call.on('error', reject);
    });
    expect(first).toContain('data: first');
  });

  test('the script is served as an external script', async () => {
    site = await createFragmentApp(adapter);
    const script = await request(site.server).get('/_cache-page/fragments.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).toContain('page-fragment:');
  });
});
