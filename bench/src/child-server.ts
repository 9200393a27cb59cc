import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCore } from './cores.js';

/** A benchmark server running in its own process. */
export interface ChildServer {
  readonly baseUrl: string;
  /** The process that answers requests (its children included), for CPU time. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** The entry of each kind of benchmark server. */
export const SERVERS = {
  bench: fileURLToPath(new URL('./server.js', import.meta.url)),
  sample: fileURLToPath(new URL('./sample-server.js', import.meta.url)),
  raw: fileURLToPath(new URL('./raw-server.js', import.meta.url)),
};

/** How a server process is started: under another program (a profiler), and how long it may take. */
export interface StartOptions {
  /** A command and its arguments that run `node <entry>`, e.g. `['valgrind', '--tool=callgrind']`. */
  readonly under?: readonly string[];
  /** Flags for `node` itself, before the entry. */
  readonly nodeFlags?: readonly string[];
  readonly startTimeoutMs?: number;
}

/** Starts `server.js` (or another entry) with the given environment and waits for `READY <port>`. */
export function startServer(
  env: Record<string, string>,
  entry = SERVERS.bench,
  { under = [], nodeFlags = [], startTimeoutMs = 30_000 }: StartOptions = {},
): Promise<ChildServer> {
  const node = [...under, process.execPath, ...nodeFlags, entry];
  const [command, args] = onCore(1, node[0], node.slice(1));
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), startTimeoutMs);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\d+)/.exec(output);
      if (!ready) return;
      clearTimeout(timer);
      resolve({ baseUrl: `http://127.0.0.1:${ready[1]}`, pid: child.pid!, stop: () => stop(child) });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}
