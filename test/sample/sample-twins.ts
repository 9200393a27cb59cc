import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterName } from '../../sample/src/app.config.js';
import { startSample, type RunningSample } from '../../sample/src/demo/sample.process.js';
import { BlogReader, csrfTokenOf } from './blog-reader.js';
import { SAMPLE_MAIN } from './sample-build.js';

const SAMPLE_DIST = fileURLToPath(new URL('../../sample/dist', import.meta.url));
const TWIN_SCRIPT = fileURLToPath(new URL('./fixtures/sample-twin.mjs', import.meta.url));

/** One response, as the differential checker compares it. */
export interface Response {
  readonly status: number;
  /** `x-cache` (HIT, MISS); absent on the uncached twin. */
  readonly cache: string | undefined;
  readonly contentType: string | undefined;
  /** Where a redirect points. */
  readonly location: string | undefined;
  readonly body: string;
}

/** A form post's answer: 303 and where it went, or an error page. */
export interface Submitted {
  readonly status: number;
  readonly location: string | undefined;
}

/** A line the app logged at WARN or ERROR level (Nest's console logger, without colours). */
const WARNING_LINE = /^\[Nest\] \d+ .*?\s(WARN|ERROR)\s.*$/gm;

/** One running instance of the compiled sample, driven over HTTP. */
export class SampleProcess {
  private commenter: { reader: BlogReader; token: string } | undefined;

  constructor(private readonly sample: RunningSample) {}

  async get(path: string): Promise<Response> {
    const response = await fetch(this.sample.url + path, { redirect: 'manual' });
    return {
      status: response.status,
      cache: response.headers.get('x-cache') ?? undefined,
      contentType: response.headers.get('content-type') ?? undefined,
      location: response.headers.get('location') ?? undefined,
      body: await response.text(),
    };
  }

  /** Posts a form like a browser, without following the redirect. */
  async submit(path: string, form: Record<string, string>): Promise<Submitted> {
    const response = await fetch(this.sample.url + path, {
      method: 'POST',
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    await response.arrayBuffer();
    return { status: response.status, location: response.headers.get('location') ?? undefined };
  }

  /**
   * Posts a comment form as one signed-in reader does, with the CSRF token the form on
   * `formPage` carried for it the first time (a session's token stays valid).
   */
  async comment(path: string, form: Record<string, string>, formPage: string): Promise<Submitted> {
    if (!this.commenter) {
      const reader = await new BlogReader(this.sample.url).signIn('Commenter');
      const page = await reader.get(formPage);
      const token = csrfTokenOf(page.text);
      if (!token) throw new Error(`${formPage} (${page.status}) has no comment form with a token`);
      this.commenter = { reader, token };
    }
    const { status, location } = await this.commenter.reader.submit(path, {
      _csrf: this.commenter.token,
      ...form,
    });
    return { status, location: location ?? undefined };
  }

  /** What it logged at WARN or ERROR level. */
  warnings(): string[] {
    return this.sample.output().match(WARNING_LINE) ?? [];
  }

  stop(): Promise<void> {
    return this.sample.stop();
  }
}

/** How the cached twin runs. */
export interface TwinOptions {
  readonly adapter: AdapterName;
  /**
   * `Entity:/prefix`: the cached twin's `Entity.dependentPaths()` drops every path that starts
   * with `/prefix` (a forgotten path). Without it the cached twin is `node sample/dist/main.js`.
   */
  readonly omitPath?: string;
}

/**
 * The sample twice, on one fresh SQLite file: `cached` is the sample as `npm start` runs it
 * (page cache in memory), started first so that it alone creates and seeds the tables; `uncached`
 * is the same build with its BlogCacheModule removed (fixtures/sample-twin.mjs), started once the
 * seed is in.
 */
export class SampleTwins {
  private constructor(
    readonly cached: SampleProcess,
    readonly uncached: SampleProcess,
    private readonly directory: string,
  ) {}

  static async start(options: TwinOptions): Promise<SampleTwins> {
    const directory = await mkdtemp(join(tmpdir(), 'sample-differential-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      ADAPTER: options.adapter,
      DATABASE_URL: `file:${join(directory, 'blog.sqlite')}`,
      PUBLIC_URL: 'https://blog.example',
      NO_COLOR: '1',
      SAMPLE_DIST,
    };
    delete env.REDIS_URL;
    const stopped: RunningSample[] = [];
    try {
      const cached = await startSample(options.omitPath ? { ...env, OMIT_PATH: options.omitPath } : env, {
        main: options.omitPath ? TWIN_SCRIPT : SAMPLE_MAIN,
      });
      stopped.push(cached);
      const uncached = await startSample({ ...env, TWIN: 'uncached' }, { main: TWIN_SCRIPT });
      return new SampleTwins(new SampleProcess(cached), new SampleProcess(uncached), directory);
    } catch (error) {
      for (const sample of stopped) await sample.stop();
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.cached.stop(), this.uncached.stop()]);
    await rm(this.directory, { recursive: true, force: true });
  }
}
