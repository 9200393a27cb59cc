import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVERS, startServer, type ChildServer } from './child-server.js';
import { sampleShares, type SampleShares } from './cpu-profile.js';
import { LOAD, measure, type LoadResult } from './load.js';
import { benchRows, rawEnv, rowHeaders, type Row, type ServerSpec } from './scenarios.js';

/** The rows whose difference the profile explains: raw `node:http` and the fast-path hits. */
const DEFAULT_ROWS = '^(raw|raw-hit-headers|(express|fastify):fast)$';
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

interface ProfiledRow {
  readonly row: Row;
  readonly load: LoadResult;
  readonly shares: SampleShares;
}

/**
 * `npm run bench:profile`: where a request's CPU time goes, per row. Each server runs under
 * `node --cpu-prof`, is loaded as in `npm run bench`, and the samples of its measured seconds
 * are grouped by what ran (this library, the framework, Node's HTTP and streams, the send, the
 * collector). The table multiplies each group's share by the row's CPU time per request, so two
 * rows can be compared group by group.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const only = new RegExp(process.env.BENCH_ONLY ?? DEFAULT_ROWS);
  const rows = benchRows({ withRedis: false, withVarnish: false }).filter(
    (row) =>
      row.table === 'page' &&
      row.server.kind !== 'varnish' &&
      (row.server.kind !== 'nest' || row.server.store === 'memory') &&
      only.test(row.id),
  );
  const profiled: ProfiledRow[] = [];
  for (const row of rows) {
    profiled.push(await profileRow(row));
    process.stderr.write(`  ${row.id}: ${Math.round(profiled.at(-1)!.load.requestsPerSecond)} req/s\n`);
  }
  const text = [header(started), profileTable(profiled)].join('\n\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}profile.md`, `${text}\n`);
  console.log(`\n${text}\n`);
}

async function profileRow(row: Row): Promise<ProfiledRow> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  const server = await startProfiled(row.server, [
    '--cpu-prof',
    '--cpu-prof-interval=100',
    `--cpu-prof-dir=${dir}`,
  ]);
  try {
    const url = `${server.baseUrl}${row.path}`;
    const headers = rowHeaders(row);
    for (let probe = 0; probe < 2; probe++) await (await fetch(url, { headers })).arrayBuffer();
    const window: number[] = [];
    const load = await measure(url, headers, server.pid, {
      onMeasuring: () => window.push(microsNow()),
      onMeasured: () => window.push(microsNow()),
    });
    await server.stop();
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`${row.id}: node --cpu-prof wrote no profile in ${dir}`);
    return { row, load, shares: sampleShares(join(dir, file), window[0], window[1]) };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function startProfiled(spec: ServerSpec, nodeFlags: string[]): Promise<ChildServer> {
  if (spec.kind === 'raw') return startServer(rawEnv(spec), SERVERS.raw, { nodeFlags });
  if (spec.kind === 'nest')
    return startServer({ BENCH_MODE: spec.mode, BENCH_ADAPTER: spec.adapter }, SERVERS.bench, { nodeFlags });
  throw new Error('Varnish is not a Node process: it has no CPU profile');
}

const microsNow = (): number => Number(process.hrtime.bigint() / 1000n);

function profileTable(profiled: readonly ProfiledRow[]): string {
  const groups = [...new Set(profiled.flatMap((p) => [...p.shares.byGroup.keys()]))].sort(
    (a, b) => totalOf(profiled, b) - totalOf(profiled, a),
  );
  const lines = [
    `| CPU µs per request | ${profiled.map((p) => p.row.id).join(' | ')} |`,
    `|---|${profiled.map(() => '---:').join('|')}|`,
    `| **all (CPU time ÷ requests)** | ${profiled.map((p) => `**${(p.load.cpuMicrosPerRequest ?? 0).toFixed(1)}**`).join(' | ')} |`,
  ];
  for (const group of groups) {
    const cells = profiled.map((p) => {
      const share = (p.shares.byGroup.get(group) ?? 0) / p.shares.busy;
      return share === 0
        ? '–'
        : `${((p.load.cpuMicrosPerRequest ?? 0) * share).toFixed(1)} (${Math.round(share * 100)} %)`;
    });
    lines.push(`| ${group} | ${cells.join(' | ')} |`);
  }
  lines.push(`| samples | ${profiled.map((p) => p.shares.busy.toLocaleString('en')).join(' | ')} |`);
  lines.push(
    `| req/s | ${profiled.map((p) => Math.round(p.load.requestsPerSecond).toLocaleString('en')).join(' | ')} |`,
  );
  return lines.join('\n');
}

const totalOf = (profiled: readonly ProfiledRow[], group: string): number =>
  profiled.reduce((sum, p) => sum + (p.shares.byGroup.get(group) ?? 0) / p.shares.busy, 0);

function header(started: number): string {
  return (
    `${new Date(started).toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model.split(' ')[0] ?? '?'} · ` +
    `${LOAD.tool} ${LOAD.connections} connections, ${LOAD.durationSeconds} s after ${LOAD.warmupSeconds} s of warm-up · ` +
    'node --cpu-prof (a sample every 100 µs), samples of the measured seconds only, idle ones left out · each cell: CPU time per request × the share of busy samples in that group'
  );
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
