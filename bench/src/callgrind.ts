import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, type ChildServer } from './child-server.js';
import { startVarnish } from './varnish.js';

const run = promisify(execFile);

/** Whether valgrind (with callgrind and `callgrind_control`) is installed (`apt-get install valgrind`). */
export const callgrindInstalled = (): boolean =>
  spawnSync('valgrind', ['--version']).status === 0 && spawnSync('callgrind_control', ['-h']).status === 0;

/** A server running under callgrind, which counts the instructions its processes execute. */
export interface CountedServer extends ChildServer {
  /** The instructions the answering process executed (every thread, user space) while `work` ran. */
  instructionsDuring(work: () => Promise<void>): Promise<number>;
}

/**
 * Starts a benchmark server (`node --predictable-gc-schedule <entry>`) under `valgrind
 * --tool=callgrind`. The same code on the same input counts the same, whatever else the machine
 * is doing, give or take the JIT's background work, which is why callers count several windows.
 */
export async function startCounted(env: Record<string, string>, entry: string): Promise<CountedServer> {
  const dumps = dumpFolder();
  const server = await startServer(env, entry, {
    under: callgrind(dumps),
    // V8 sizes its heap, and so how often it collects, from how fast the process runs; under
    // valgrind, beside other processes, that changes from run to run. This fixes the schedule.
    nodeFlags: ['--predictable-gc-schedule'],
    startTimeoutMs: 600_000,
  });
  return counted(server, server.pid, dumps);
}

/**
 * Varnish under callgrind (its forks too, not the C compiler it runs on its VCL) in front of a
 * `backend` that is not counted; the counts are its worker's, the process that answers requests.
 */
export async function startCountedVarnish(backend: ChildServer): Promise<CountedServer> {
  const dumps = dumpFolder();
  const skip = '--trace-children-skip=/bin/sh,*/sh,*cc*,*/as,*/ld';
  const varnish = await startVarnish(backend, [...callgrind(dumps), '--trace-children=yes', skip]);
  return counted(varnish, varnish.workerPid, dumps);
}

function dumpFolder(): string {
  const dumps = mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  chmodSync(dumps, 0o1777); // Varnish's compiler process writes its dump as another user
  return dumps;
}

const callgrind = (dumps: string): string[] => [
  'valgrind',
  '--tool=callgrind',
  `--callgrind-out-file=${join(dumps, 'cg.%p')}`,
  `--log-file=${join(dumps, 'valgrind.%p.log')}`,
];

function counted(server: ChildServer, pid: number, dumps: string): CountedServer {
  let dumped = 0;
  return {
    ...server,
    async instructionsDuring(work) {
      await run('callgrind_control', ['--zero', String(pid)], { timeout: 60_000 });
      await work();
      await run('callgrind_control', ['--dump', String(pid)], { timeout: 60_000 });
      dumped += 1;
      return summaryOf(join(dumps, `cg.${pid}.${dumped}`));
    },
    async stop() {
      await server.stop();
      rmSync(dumps, { recursive: true, force: true });
    },
  };
}

/** The `summary:` line of a callgrind dump: the instructions counted since the last zeroing. */
async function summaryOf(file: string): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const summary = existsSync(file) ? /^summary: (\d+)$/m.exec(readFileSync(file, 'utf8')) : null;
    if (summary) return Number(summary[1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const present = readdirSync(join(file, '..')).join(', ');
  throw new Error(`callgrind wrote no dump ${file} within 10 s (present: ${present})`);
}
