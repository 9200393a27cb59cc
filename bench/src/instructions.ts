import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { callgrindInstalled, startCounted, startCountedVarnish, type CountedServer } from './callgrind.js';
import { SERVERS, startServer } from './child-server.js';
import { handlerCalls } from './measure-rows.js';
import { benchRows, rawEnv, rowHeaders, serverKey, type Row, type ServerSpec } from './scenarios.js';
import { targetsTable } from './report.js';
import { sendSequential } from './sequential-load.js';
import { checkRatios, memoryRatioTargets } from './targets.js';
import { varnishInstalled } from './varnish.js';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 3_000);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 3);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 1_000);
/** The last WINDOWS windows count as settled when they are this close (half their range ÷ mean). */
const SETTLED = 0.03;
const MAX_WINDOWS = 5 * WINDOWS;
/** Windows before any can count as settled: the JIT's background work and one large collection come first. */
const MIN_WINDOWS = 8;
/** The rows the targets are about (BENCH_ONLY picks others: every memory-store row can be counted). */
const DEFAULT_ROWS =
  '^(raw|raw-hit-headers|varnish|(express|fastify):(floor|interceptor-guard|fast|fast-gzip|fast-br|fragments-(1|3)-gzip))$';
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

/** One row: the instructions per request of each measured window. */
interface CountedRow {
  readonly row: Row;
  /** Instructions per request of the last WINDOWS windows. */
  readonly perRequest: number[];
  /** Instructions per request of every window, in order, the unsettled first ones included. */
  readonly allWindows: number[];
  readonly settled: boolean;
  readonly handlerCalls: number | undefined;
  readonly answeredAs: string;
  readonly failed: number;
}

/**
 * `npm run bench:instructions`: the instructions each server executes per request, counted by
 * callgrind, for the rows on the in-memory store (by default the 20 KB page's; BENCH_ONLY picks
 * any, the sample blog's included). Unlike req/s, a count does not move with the
 * rest of the machine, so its ratios settle what a shared machine's throughput rows cannot.
 * Each server warms up with BENCH_WARMUP requests, then windows of BENCH_WINDOW sequential
 * requests are counted until, after at least 8, the last BENCH_WINDOWS agree within 3 % (the
 * first windows after warm-up still carry the JIT's background work and, a few windows later,
 * one large collection), or five times that many were counted; the table shows the mean of the
 * last BENCH_WINDOWS.
 */
async function main(): Promise<void> {
  if (!callgrindInstalled()) {
    console.error('\n*** valgrind not installed (apt-get install valgrind): nothing to count ***\n');
    process.exit(1);
  }
  const started = Date.now();
  const only = new RegExp(process.env.BENCH_ONLY ?? DEFAULT_ROWS);
  const withVarnish = varnishInstalled();
  if (!withVarnish)
    console.warn('\n*** varnishd not installed (apt-get install varnish): no Varnish row ***\n');
  // The sample's rows too (`express:sample-post:page-cache`…), when BENCH_ONLY names them: the
  // default rows are the 20 KB page's. An uncached sample row renders every request: under
  // callgrind, thousands of renders take long.
  const rows = benchRows({ withRedis: false, withVarnish }).filter(
    (row) => (row.server.kind !== 'nest' || row.server.store === 'memory') && only.test(row.id),
  );
  const groups = new Map<string, Row[]>();
  for (const row of rows)
    groups.set(serverKey(row.server), [...(groups.get(serverKey(row.server)) ?? []), row]);
  const byRow = new Map<string, CountedRow>();
  // valgrind runs a process on one core, and counts do not depend on what runs beside it.
  const pending = [...groups.values()];
  const worker = async () => {
    for (let group = pending.shift(); group; group = pending.shift()) {
      for (const result of await countGroup(group)) byRow.set(result.row.id, result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, cpus().length) }, worker));
  const counted = rows.map((row) => byRow.get(row.id)!);
  const table = instructionsTable(counted);
  const targets = targetsTable(
    checkRatios(memoryRatioTargets(), (id) => {
      const cost = costOf(counted, id);
      return cost ? 1 / cost : undefined;
    }),
  );
  const text = [header(started), table, '#### The targets, by instructions per request', targets].join(
    '\n\n',
  );
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}instructions.md`, `${text}\n`);
  writeFileSync(
    `${RESULTS}instructions.json`,
    JSON.stringify(Object.fromEntries(counted.map((c) => [c.row.id, c.allWindows])), null, 2),
  );
  console.log(`\n${text}\n`);
  console.log(`(${Math.round((Date.now() - started) / 1000)} s; written to bench/results/instructions.md)`);
}

/**
 * The rows of one server, counted in one process, their windows interleaved: each row warms up,
 * then every round counts one window of each row, until all have settled. Counted one row after
 * the other instead, a row ran on the JIT state the previous row left (on Express a br row counted
 * 99,000 instructions per request after the identity row, 85,000 with the encodings taking
 * turns), which no real mix of clients produces.
 */
async function countGroup(group: readonly Row[]): Promise<CountedRow[]> {
  const server = await startCountedServer(group[0].server);
  try {
    const tallies = group.map((row) => new Tally(server, row));
    for (const tally of tallies) await tally.warmUp();
    // Asked before and after the windows, never between them: a few requests through the
    // framework deoptimize a fast hit's code, and the windows after them counted 2-4x while V8
    // optimized it again.
    const beforeWindows = await handlerCalls(server.baseUrl);
    for (let round = 0; round < MAX_WINDOWS && !tallies.every((tally) => tally.settled()); round++) {
      for (const tally of tallies) await tally.countWindow();
    }
    const afterWindows = await handlerCalls(server.baseUrl);
    const duringWindows =
      beforeWindows === undefined || afterWindows === undefined ? undefined : afterWindows - beforeWindows;
    const results = tallies.map((tally) => tally.result(duringWindows));
    for (const result of results) {
      const perRequest = Math.round(mean(result.perRequest)).toLocaleString('en');
      process.stderr.write(
        `  ${result.row.id}: ${perRequest} instructions per request (${result.answeredAs})\n`,
      );
    }
    return results;
  } finally {
    await server.stop();
  }
}

async function startCountedServer(spec: ServerSpec): Promise<CountedServer> {
  if (spec.kind === 'raw') return startCounted(rawEnv(spec), SERVERS.raw);
  if (spec.kind === 'nest')
    return startCounted({ BENCH_MODE: spec.mode, BENCH_ADAPTER: spec.adapter }, SERVERS[spec.app]);
  const backend = await startServer({ BENCH_MODE: 'floor', BENCH_ADAPTER: 'express' });
  const varnish = await startCountedVarnish(backend).catch(async (error: unknown) => {
    await backend.stop();
    throw error;
  });
  return { ...varnish, stop: () => varnish.stop().then(() => backend.stop()) };
}

/** What one row of a counted server has sent and counted so far. */
class Tally {
  private readonly windows: number[] = [];
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private warmUpCalls: number | undefined;
  private failed = 0;
  private answeredAs = '–';

  constructor(
    private readonly server: CountedServer,
    private readonly row: Row,
  ) {
    this.url = `${server.baseUrl}${row.path}`;
    this.headers = rowHeaders(row);
  }

  /** BENCH_WARMUP requests, and the handler calls they caused (the first render, for a hit row). */
  async warmUp(): Promise<void> {
    const before = await handlerCalls(this.server.baseUrl);
    await this.send(WARMUP);
    const after = await handlerCalls(this.server.baseUrl);
    this.warmUpCalls = before === undefined || after === undefined ? undefined : after - before;
  }

  async countWindow(): Promise<void> {
    const instructions = await this.server.instructionsDuring(() => this.send(WINDOW));
    this.windows.push(instructions / WINDOW);
  }

  settled(): boolean {
    return settled(this.windows.slice(-WINDOWS), this.windows.length);
  }

  /** What was counted; `windowCalls` are the handler calls during the windows of every row of the server. */
  result(windowCalls: number | undefined): CountedRow {
    const last = this.windows.slice(-WINDOWS);
    return {
      row: this.row,
      perRequest: last,
      allWindows: [...this.windows],
      settled: this.settled(),
      handlerCalls:
        this.warmUpCalls === undefined || windowCalls === undefined
          ? undefined
          : this.warmUpCalls + windowCalls,
      answeredAs: this.answeredAs,
      failed: this.failed,
    };
  }

  private async send(count: number): Promise<void> {
    const result = await sendSequential(this.url, this.headers, count);
    this.failed += result.failed;
    this.answeredAs = result.answeredAs;
  }
}

function settled(windows: readonly number[], counted: number): boolean {
  return counted >= MIN_WINDOWS && windows.length === WINDOWS && spreadOf(windows) <= SETTLED;
}

/** Half the range of `values`, relative to their mean. */
const spreadOf = (values: readonly number[]): number =>
  (Math.max(...values) - Math.min(...values)) / mean(values) / 2;

/** A row's instructions per request (the mean of its settled windows), or undefined when not counted. */
function costOf(counted: readonly CountedRow[], id: string): number | undefined {
  const found = counted.find((c) => c.row.id === id);
  return found ? mean(found.perRequest) : undefined;
}

function instructionsTable(counted: readonly CountedRow[]): string {
  const raw = costOf(counted, 'raw');
  const varnish = costOf(counted, 'varnish');
  const ratio = (base: number | undefined, value: number) => (base ? (base / value).toFixed(2) : '–');
  const lines = [
    '| adapter | variant | instructions per request | × floor | × raw | × Varnish | spread | windows | handler calls | answered as |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const c of counted) {
    const value = mean(c.perRequest);
    const floorId = c.row.table === 'page' ? `${c.row.adapter}:floor` : c.row.id.replace(/:[^:]+$/, ':floor');
    const floor = c.row.adapter ? costOf(counted, floorId) : undefined;
    lines.push(
      `| ${c.row.adapter ?? '–'} | ${c.row.label}${c.failed ? ` (**${c.failed} failed**)` : ''} | ` +
        `${Math.round(value).toLocaleString('en')} | ${ratio(floor, value)} | ${ratio(raw, value)} | ${ratio(varnish, value)} | ` +
        `±${Math.round(spreadOf(c.perRequest) * 100)} %${c.settled ? '' : ` (not within ${SETTLED * 100} %)`} | ${c.allWindows.length} | ${c.handlerCalls ?? '–'} | ${c.answeredAs} |`,
    );
  }
  return lines.join('\n');
}

function header(started: number): string {
  return (
    `${new Date(started).toISOString()} · Node ${process.version} · callgrind instruction counts (node --predictable-gc-schedule; every thread of ` +
    `the server, user space only) · ${WARMUP.toLocaleString('en')} requests of warm-up, then windows of ` +
    `${WINDOW.toLocaleString('en')} sequential requests on one keep-alive connection until, after ${MIN_WINDOWS}, the last ${WINDOWS} agree ` +
    `within ${SETTLED * 100} % (or ${MAX_WINDOWS} were counted), their mean · × floor, × raw, × Varnish: ` +
    "the floor's (raw `node:http`'s, Varnish's) instructions per request ÷ the row's, read like req/s ratios (above 1: cheaper) · " +
    'spread: half the range of the windows'
  );
}

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
