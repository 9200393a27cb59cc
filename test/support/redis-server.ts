import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether `redis-server` can be started on this machine (fault tests start their own). */
export async function canStartRedis(): Promise<boolean> {
  try {
    await run('redis-server', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Below the ports the kernel hands out itself (Linux's ip_local_port_range starts at 32768), also
 * for a cluster node's bus port (its port + 10000).
 */
const PICKED_PORTS = { from: 10_000, to: 22_767 };

/**
 * A free TCP port on 127.0.0.1 for a server a test starts later. Picked at random below the
 * ephemeral range and checked by binding it: a port the kernel had handed out (`listen(0)`) could
 * be handed out again, to another server or an outgoing connection, before the test binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = PICKED_PORTS.from + Math.floor(Math.random() * (PICKED_PORTS.to - PICKED_PORTS.from + 1));
    if (await canBind(port)) return port;
    if (attempt === 100) throw new Error(`no free port between ${PICKED_PORTS.from} and ${PICKED_PORTS.to}`);
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A `redis-server` of a test's own, on a free port, that the test can kill, pause and restart
 * (also from an older RDB snapshot). It keeps nothing on disk unless `save()` is called.
 */
export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  /** Starts a server on `port` (a free one by default), with more `redis-server` arguments. */
  static async start(port?: number, extraArgs: readonly string[] = []): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), 'cache-page-redis-'));
    const server = new RedisServer(port ?? (await freePort()), dir, extraArgs);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Runs `redis-cli` against this server and gives its output. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(this.port), ...args]);
    return stdout.trim();
  }

  /** Writes an RDB snapshot now and keeps a copy under `name`. */
  async snapshot(name: string): Promise<void> {
    await this.cli('SAVE');
    await copyFile(join(this.dir, 'dump.rdb'), join(this.dir, `${name}.rdb`));
  }

  /** Whether the server process is running (not killed). */
  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** `kill -9`: the server is gone at once, connections drop. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** `kill -STOP`: connections stay open, nothing answers. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Starts the server again on the same port; `fromSnapshot` loads that older snapshot. */
  async restart(fromSnapshot?: string): Promise<void> {
    await this.kill();
    if (fromSnapshot) await copyFile(join(this.dir, `${fromSnapshot}.rdb`), join(this.dir, 'dump.rdb'));
    await this.launch();
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((await this.cli('PING')) === 'PONG') return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
