import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildServer } from './child-server.js';
import { onCore } from './cores.js';

/** Whether `varnishd` is on the PATH (Debian: `apt-get install varnish`). */
export const varnishInstalled = (): boolean => spawnSync('varnishd', ['-V']).status === 0;

/**
 * Varnish with its built-in configuration (`-b`, no VCL of ours) and a 256 MiB malloc storage in
 * front of `backend`: what a team would put before the app instead of a page cache inside it.
 */
export async function startVarnish(backend: ChildServer): Promise<ChildServer> {
  const port = await freePort();
  const workdir = mkdtempSync(join(tmpdir(), 'bench-varnish-'));
  chmodSync(workdir, 0o755); // varnishd's worker drops root and must read its compiled VCL there
  const { host } = new URL(backend.baseUrl);
  const args = ['-F', '-a', `127.0.0.1:${port}`, '-b', host, '-n', workdir, '-s', 'malloc,256m'];
  const child = spawn(...onCore(1, 'varnishd', args), { stdio: ['ignore', 'ignore', 'inherit'] });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(baseUrl, child.pid);
  return {
    baseUrl,
    pid: child.pid!,
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
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fetch(baseUrl).then((response) => response.arrayBuffer());
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`varnishd (pid ${pid}) did not answer at ${baseUrl} within 10 s`);
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
