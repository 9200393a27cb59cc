import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCore } from './cores.js';

const SCRIPT = fileURLToPath(new URL('../../test/faults/fixtures/blog-instance.mjs', import.meta.url));

/**
 * The fault tests' blog app (`test/faults/fixtures/blog-instance.mjs`: Express, MikroORM, the
 * library over Redis) in its own process; see that script's header for its environment.
 */
export class BlogProcess {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    const collect = (chunk: Buffer) => {
      this.lines.push(...chunk.toString().split('\n').filter(Boolean));
      for (const listener of this.listeners) listener();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
  }

  static async start(env: Record<string, string>): Promise<BlogProcess> {
    const child = spawn(...onCore(1, process.execPath, [SCRIPT]), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const blog = new BlogProcess(child);
    await blog.waitFor(/^ready /, 60_000);
    return blog;
  }

  /** The lines it printed so far. */
  get output(): readonly string[] {
    return this.lines;
  }

  /** The first line matching `pattern`, printed or to come. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.lines.find((printed) => pattern.test(printed));
        if (line === undefined) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
