import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCore } from './cores.js';
import { varnishInstalled } from './varnish.js';

const VCL_DIR = fileURLToPath(new URL('../../varnish', import.meta.url));
const XKEY_VMOD = '/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so';

/** Why Varnish with the xkey vmod cannot run here, or `undefined` when it can. */
export const edgeVarnishMissing = (): string | undefined =>
  !varnishInstalled()
    ? 'varnishd is not installed (apt-get install varnish)'
    : !existsSync(XKEY_VMOD)
      ? `the xkey vmod is not at ${XKEY_VMOD} (apt-get install varnish-modules)`
      : undefined;

/** A running Varnish with the package's VCL. */
export interface EdgeVarnish {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Varnish as the README deploys it: a top VCL with one backend that includes the package's
 * `cache-page.vcl` last, malloc storage, on `port`.
 */
export async function startEdgeVarnish(port: number, backendPort: number): Promise<EdgeVarnish> {
  const workdir = mkdtempSync(join(tmpdir(), 'bench-edge-varnish-'));
  chmodSync(workdir, 0o755); // varnishd's worker drops root and must read its compiled VCL there
  const topVcl = join(workdir, 'top.vcl');
  writeFileSync(
    topVcl,
    `vcl 4.1;
backend app { .host = "127.0.0.1"; .port = "${backendPort}"; }
sub vcl_recv { set req.backend_hint = app; }
include "cache-page.vcl";
`,
  );
  const args = ['-F', '-n', workdir, '-a', `127.0.0.1:${port}`, '-f', topVcl, '-s', 'malloc,64m'];
  args.push('-p', `vcl_path=${VCL_DIR}:/etc/varnish:/usr/share/varnish/vcl`);
  const child = spawn(...onCore(1, 'varnishd', args), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    rmSync(workdir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    try {
      // Answered by the VCL itself: the backend may not listen yet.
      await fetch(baseUrl, { method: 'PURGE' }).then((response) => response.arrayBuffer());
      return { baseUrl, stop };
    } catch {
      if (attempt >= 600 || child.exitCode !== null) {
        await stop();
        throw new Error(`varnishd did not answer at ${baseUrl}: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
