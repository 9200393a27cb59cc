import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AdapterName } from '../../sample/src/app.config.js';
import { freePort } from '../support/redis-server.js';

/** The script `npm run start:varnish` runs (after building the sample). */
export const RUN_SCRIPT = fileURLToPath(new URL('../../sample/varnish/run.sh', import.meta.url));

/**
 * `sample/varnish/run.sh` as `npm run start:varnish` runs it: varnishd with the sample's VCL in
 * front of `node sample/dist/main.js` (build it first), on free ports and a fresh in-memory
 * database, in a process group of its own, as in a terminal.
 */
export class BlogBehindVarnish {
  /** Every one started and not yet closed, for `closeAll()`, even those a test gave up waiting for. */
  private static readonly running = new Set<BlogBehindVarnish>();

  private constructor(
    private readonly script: ChildProcess,
    private readonly exited: Promise<number | null>,
    private readonly printed: () => string,
    /** Varnish's address, `http://127.0.0.1:<port>`. */
    readonly varnishUrl: string,
    /** The blog's own address, behind Varnish. */
    readonly appUrl: string,
  ) {}

  static async start(adapter: AdapterName): Promise<BlogBehindVarnish> {
    const [appPort, varnishPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(appPort),
      VARNISH_PORT: String(varnishPort),
      ADAPTER: adapter,
      DATABASE_URL: 'file::memory:',
      PUBLIC_URL: 'https://blog.example',
      NO_COLOR: '1',
    };
    delete env.REDIS_URL;
    delete env.SAMPLE_VARNISH_URL;
    const script = spawn('bash', [RUN_SCRIPT], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((done) => script.once('exit', (code) => done(code)));
    const ready = new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error('not behind Varnish within 60 s')), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (!output.includes('Behind Varnish at')) return;
        clearTimeout(timer);
        done();
      };
      script.stdout!.on('data', onData);
      script.stderr!.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`run.sh exited (${code}) before it was ready`));
      });
    });
    const blog = new BlogBehindVarnish(
      script,
      exited,
      () => output,
      `http://127.0.0.1:${varnishPort}`,
      `http://127.0.0.1:${appPort}`,
    );
    BlogBehindVarnish.running.add(blog);
    try {
      await ready;
    } catch (error) {
      await blog.close();
      throw new Error(`${(error as Error).message}. Its output:\n${output}`);
    }
    return blog;
  }

  /** Everything the script, varnishd and the blog printed so far. */
  output(): string {
    return this.printed();
  }

  /** Ctrl-C in its terminal: SIGINT to its whole process group. Resolves with the script's exit code. */
  async interrupt(): Promise<number | null> {
    process.kill(-this.script.pid!, 'SIGINT');
    return this.exited;
  }

  /** Closes every one started. */
  static async closeAll(): Promise<void> {
    await Promise.all([...BlogBehindVarnish.running].map((blog) => blog.close()));
  }

  /** Stops the script (SIGTERM), or kills its whole group if it does not stop within 10 s. */
  async close(): Promise<void> {
    BlogBehindVarnish.running.delete(this);
    if (this.script.exitCode !== null || this.script.signalCode !== null) return;
    const force = setTimeout(() => process.kill(-this.script.pid!, 'SIGKILL'), 10_000);
    this.script.kill('SIGTERM');
    await this.exited;
    clearTimeout(force);
  }
}
