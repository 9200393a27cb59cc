import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildServer } from './child-server.js';
import { onCore } from './cores.js';

/** Whether `varnishd` is on the PATH (Debian: `apt-get install varnish`). */
export const varnishInstalled = (): boolean => spawnSync('varnishd', ['-V']).status === 0;

/** A running Varnish: `pid` is its manager process, `workerPid` the child that answers requests. */
export interface VarnishServer extends ChildServer {
  readonly workerPid: number;
}

/**
 * Varnish with its built-in configuration (`-b`, no VCL of ours) and a 256 MiB malloc storage in
 * front of `backend`: what a team would put before the app instead of a page cache inside it.
 * `under` runs it under another program (callgrind), with `-j none` so that its worker keeps the
 * user that program's controls run as.
 */
export async function startVarnish(
  backend: ChildServer,
  under: readonly string[] = [],
): Promise<VarnishServer> {
  const port = await freePort();
  const workdir = mkdtempSync(join(tmpdir(), 'bench-varnish-'));
  chmodSync(workdir, 0o755); // varnishd's worker drops root and must read its compiled VCL there
  const { host } = new URL(backend.baseUrl);
  const jail = under.length > 0 ? ['-j', 'none'] : [];
  const args = [...jail, '-F', '-a', `127.0.0.1:${port}`, '-b', host, '-n', workdir, '-s', 'malloc,256m'];
  const command = [...under, 'varnishd', ...args];
  const child = spawn(...onCore(1, command[0], command.slice(1)), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(baseUrl, child.pid).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}; varnishd said: ${output}`);
  });
  const worker = /Child \((\d+)\) Started/.exec(output);
  return {
    baseUrl,
    pid: child.pid!,
    workerPid: worker ? Number(worker[1]) : child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(workdir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function waitUntilAnswering(baseUrl: string, pid: number | undefined): Promise<void> {
  for (let attempt = 0; attempt < 1_200; attempt++) {
    try {
      await fetch(baseUrl).then((response) => response.arrayBuffer());
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`varnishd (pid ${pid}) did not answer at ${baseUrl} within 120 s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
