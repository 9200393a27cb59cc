import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's VCL directory, as Varnish's `vcl_path` (so the top VCL includes it by name). */
export const VCL_DIR = fileURLToPath(new URL('../../varnish', import.meta.url));
const XKEY_VMOD = '/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so';

/**
 * Why the Varnish suites cannot run here, or `undefined` when they can: `varnishd` on the PATH and
 * the xkey vmod (Debian's `varnish-modules`) installed. For `describeIfAvailable`.
 */
export function availability(): string | undefined {
  if (spawnSync('varnishd', ['-V']).status !== 0)
    return 'varnishd is not installed (apt-get install varnish)';
  if (!existsSync(XKEY_VMOD))
    return `the xkey vmod is not installed at ${XKEY_VMOD} (apt-get install varnish-modules)`;
  return undefined;
}

export interface Backend {
  readonly host: string;
  readonly port: number;
}

export interface VarnishServerOptions {
  /** Where the top VCL's backend is; several are taken in turn (the directors vmod's round robin). */
  readonly backend: Backend | readonly Backend[];
  /** Extra addresses (acl entries such as `'"198.51.100.0"/24'`) allowed to purge, as a user would add them. */
  readonly purgers?: readonly string[];
}

/** A running `varnishd` with the package's VCL. */
export interface VarnishServer {
  /** Its HTTP address, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** A second listener speaking the PROXY protocol, so a test can claim any client address. */
  readonly proxyPort: number;
  /** Its counters (`varnishstat -1`): `MAIN.cache_hit`, `MAIN.n_object`, `XKEY.g_keys`, … */
  counters(): Record<string, number>;
  /** Stops it and removes its working directory. */
  stop(): Promise<void>;
  /** Kills it at once (manager and worker), as a crash would. */
  kill(): Promise<void>;
}

/**
 * Starts `varnishd` on free loopback ports in a temporary directory, with a top VCL written like
 * the skeleton in `cache-page.vcl`'s header comment: the backends, `vcl_recv` picking one (and
 * letting `purgers` purge), then `include "cache-page.vcl";`.
 */
export async function startVarnish(options: VarnishServerOptions): Promise<VarnishServer> {
  const [port, proxyPort] = [await freePort(), await freePort()];
  const workdir = mkdtempSync(join(tmpdir(), 'cache-page-varnish-'));
  chmodSync(workdir, 0o755); // varnishd's worker drops root and must read its compiled VCL there
  const topVcl = join(workdir, 'top.vcl');
  writeFileSync(topVcl, topVclText(options));
  const args = [
    '-F',
    '-n',
    workdir,
    '-a',
    `127.0.0.1:${port}`,
    '-a',
    `127.0.0.1:${proxyPort},PROXY`,
    '-f',
    topVcl,
    '-p',
    `vcl_path=${VCL_DIR}:/etc/varnish:/usr/share/varnish/vcl`,
    '-s',
    'malloc,64m',
  ];
  // Its own process group, so that kill() takes the worker down with the manager.
  const child = spawn('varnishd', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const cleanUp = () => rmSync(workdir, { recursive: true, force: true });
  const signalGroup = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal);
    await exited;
    cleanUp();
  };
  try {
    await waitUntilAnswering(url, exited);
  } catch (error) {
    await signalGroup('SIGKILL');
    throw new Error(`${(error as Error).message}; varnishd said: ${output}`);
  }
  return {
    url,
    proxyPort,
    counters: () => readCounters(workdir),
    stop: () => signalGroup('SIGTERM'),
    kill: () => signalGroup('SIGKILL'),
  };
}

function topVclText({ backend, purgers = [] }: VarnishServerOptions): string {
  const backends = Array.isArray(backend) ? backend : [backend as Backend];
  const widen =
    purgers.length === 0
      ? ''
      : `    if ((req.method == "PURGE" || req.method == "BAN") && client.ip ~ app_servers) {
        call cache_page_purge;
    }\n`;
  const declared = backends
    .map(({ host, port }, index) => `backend app${index} { .host = "${host}"; .port = "${port}"; }`)
    .join('\n');
  const directors =
    backends.length === 1
      ? ''
      : `sub vcl_init {
    new apps = directors.round_robin();
${backends.map((_, index) => `    apps.add_backend(app${index});`).join('\n')}
}
`;
  return `vcl 4.1;
${backends.length === 1 ? '' : 'import directors;\n'}${declared}
${directors}${purgers.length === 0 ? '' : `acl app_servers { ${purgers.map((entry) => `${entry};`).join(' ')} }`}
sub vcl_recv {
    set req.backend_hint = ${backends.length === 1 ? 'app0' : 'apps.backend()'};
${widen}}
include "cache-page.vcl";
`;
}

function readCounters(workdir: string): Record<string, number> {
  const result = spawnSync('varnishstat', ['-n', workdir, '-1'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`varnishstat failed: ${result.stderr}`);
  const counters: Record<string, number> = {};
  for (const line of result.stdout.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value && /^\d+$/.test(value)) counters[name] = Number(value);
  }
  return counters;
}

async function waitUntilAnswering(url: string, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !gone) {
    try {
      // A PURGE without keys is answered by the VCL itself: a request that reached the backend
      // before the app listens would make Varnish hold that backend down for 10 s
      // (backend_local_error_holddown).
      await fetch(url, { method: 'PURGE' }).then((response) => response.arrayBuffer());
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(
    gone ? `varnishd exited before answering at ${url}` : `varnishd did not answer at ${url} within 60 s`,
  );
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
