import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable, type DemoRow } from './demo.table.js';
import { freePort } from './free-port.js';
import { startSample } from './sample.process.js';

/*
 * `npm run demo`: starts the sample blog on a free port (a fresh SQLite file unless DATABASE_URL
 * is set; REDIS_URL and ADAPTER are passed on), then visits it like a reader who leaves a
 * comment, and prints what the page cache did with each request.
 */

const POST = '/posts/caching-whole-pages';
/** A page outside the story, visited first so the timings below are not the process's cold start. */
const WARM_UP = '/authors/grace-hopper';
/** Pages that do not show the post's comments: the comment must leave them cached. */
const UNRELATED = [
  '/',
  '/posts/measuring-a-cache-hit',
  '/tags/typescript',
  '/authors/alan-turing',
  '/feed.xml',
  '/api/posts?page=2',
];

/** A reader with a browser (cookies, the forms of the pages it read) that records every request. */
class ScriptedReader {
  readonly rows: DemoRow[] = [];
  private readonly cookies = new Map<string, string>();
  /** The CSRF token each page's comment form carried for this reader. */
  private readonly tokens = new Map<string, string>();

  constructor(private readonly base: string) {}

  /** Loads a page, expecting `cache` and, if given, a text on the page. */
  async visit(path: string, cache: 'MISS' | 'HIT', note: string, mustShow?: string): Promise<DemoRow> {
    const started = performance.now();
    const response = await this.fetch(path);
    const body = await response.text();
    const token = /name="_csrf" value="([^"]*)"/.exec(body)?.[1];
    if (token) this.tokens.set(path, token);
    const ms = performance.now() - started;
    const got = response.headers.get('x-cache') ?? '-';
    const shows = mustShow === undefined || body.includes(mustShow);
    const ok = response.status === 200 && got === cache && shows;
    const why =
      got !== cache ? ` (expected ${cache})` : shows ? '' : ` (the page does not show "${mustShow}")`;
    return this.add({
      request: `GET  ${path}`,
      status: response.status,
      cache: got,
      ms,
      note: note + why,
      ok,
    });
  }

  /** Submits the form of the page `formPage` it read last, expecting a redirect (303). */
  async submit(path: string, formPage: string, form: Record<string, string>, note: string): Promise<DemoRow> {
    const started = performance.now();
    const response = await this.fetch(path, { _csrf: this.tokens.get(formPage) ?? '', ...form });
    await response.arrayBuffer();
    const ms = performance.now() - started;
    const ok = response.status === 303;
    return this.add({
      request: `POST ${path}`,
      status: response.status,
      cache: response.headers.get('x-cache') ?? '-',
      ms,
      note,
      ok,
    });
  }

  /** A request with this reader's cookies, keeping those the blog sets. */
  private async fetch(path: string, form?: Record<string, string>): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(this.base + path, {
      method: form ? 'POST' : 'GET',
      body: form && new URLSearchParams(form),
      headers: cookie ? { cookie } : {},
      redirect: 'manual',
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [name, value] = setCookie.split(';')[0]!.split(/=(.*)/);
      if (name && value !== undefined) this.cookies.set(name.trim(), value.trim());
    }
    return response;
  }

  private add(row: DemoRow): DemoRow {
    this.rows.push(row);
    return row;
  }
}

async function main(): Promise<number> {
  const scratch = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'blog-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()) };
  if (scratch) env.DATABASE_URL = `file:${join(scratch, 'blog.sqlite')}`;
  const sample = await startSample(env);
  try {
    process.stdout.write(
      `\nThe sample blog is running at ${sample.url}\n${sample.banner.map((line) => `  ${line}`).join('\n')}\n\n`,
    );
    const reader = new ScriptedReader(sample.url);
    const comment = `Hello from npm run demo (${new Date().toISOString().slice(11, 19)} UTC)`;

    await reader.visit(WARM_UP, 'MISS', "warm-up: the process's very first request");
    await reader.visit(WARM_UP, 'HIT', 'warm-up: its first cache hit');
    const firstMiss = await reader.visit(POST, 'MISS', 'first visit: queries + template, then stored');
    const firstHit = await reader.visit(POST, 'HIT', 'from the cache: no handler, no query, no template');
    for (const path of UNRELATED) await reader.visit(path, 'MISS', 'another page, now cached too');
    await reader.submit(
      `${POST}/comments`,
      POST,
      { authorName: 'Demo reader', body: comment },
      'a reader comments (the flush invalidates)',
    );
    const secondMiss = await reader.visit(POST, 'MISS', 'rendered again, with the new comment', comment);
    const secondHit = await reader.visit(POST, 'HIT', 'and cached again', comment);
    for (const path of UNRELATED) await reader.visit(path, 'HIT', 'still cached: it does not show comments');

    process.stdout.write(`${formatTable(reader.rows)}\n\n`);
    const failed = reader.rows.filter((row) => !row.ok).length;
    if (failed > 0) {
      process.stderr.write(`✗ ${failed} request(s) did not go as expected (marked ✗ above).\n`);
      return 1;
    }
    const ms = (row: DemoRow) => `${row.ms.toFixed(1)} ms`;
    process.stdout.write(
      `${POST}: MISS ${ms(firstMiss)} → HIT ${ms(firstHit)} on the first visit, ` +
        `MISS ${ms(secondMiss)} → HIT ${ms(secondHit)} after the comment.\n` +
        `The comment invalidated its post's page; the ${UNRELATED.length} other pages stayed cached.\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`\nThe demo failed: ${String(error)}\nThe sample's output:\n${sample.output()}\n`);
    return 1;
  } finally {
    await sample.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `The demo could not run: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
