import type { RowSample, Samples } from './measure-rows.js';
import type { Row } from './scenarios.js';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median req/s of a row, or undefined when it was not measured. */
export const rpsOf = (samples: Samples, id: string): number | undefined => {
  const results = samples.get(id);
  return results ? median(results.map((r) => r.requestsPerSecond)) : undefined;
};

/** Median CPU microseconds per request of a row, or undefined when not measured. */
export const cpuOf = (samples: Samples, id: string): number | undefined => {
  const values = (samples.get(id) ?? [])
    .map((r) => r.cpuMicrosPerRequest)
    .filter((v): v is number => v !== undefined);
  return values.length ? median(values) : undefined;
};

const ratio = (value: number | undefined, base: number | undefined): string =>
  value !== undefined && base ? (value / base).toFixed(2) : '–';

/** The throughput table of one group of rows: req/s and its ratios to the floor, raw node:http and Varnish. */
export function throughputTable(samples: Samples, rows: readonly Row[], table: Row['table']): string {
  const raw = rpsOf(samples, 'raw');
  const varnish = rpsOf(samples, 'varnish');
  const rawCpu = cpuOf(samples, 'raw');
  const lines = [
    '| adapter | variant | req/s | × floor | × raw | × Varnish | spread | CPU µs per request | in the kernel | per CPU-second × raw | p99 ms | handler calls | answered as |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows.filter((r) => r.table === table)) {
    const results = samples.get(row.id);
    if (!results) continue;
    const rps = median(results.map((r) => r.requestsPerSecond));
    const floorId = table === 'page' ? `${row.adapter}:floor` : row.id.replace(/:[^:]+$/, ':floor');
    const floor = row.adapter ? rpsOf(samples, floorId) : undefined;
    lines.push(
      `| ${row.adapter ?? '–'} | ${row.label}${failures(results)} | ${Math.round(rps).toLocaleString('en')} | ` +
        `${ratio(rps, floor)} | ${ratio(rps, raw)} | ${ratio(rps, varnish)} | ${spread(results, rps)} | ` +
        `${cpuOf(samples, row.id)?.toFixed(1) ?? '–'} | ${kernelShareOf(results)} | ${ratio(rawCpu, cpuOf(samples, row.id))} | ` +
        `${median(results.map((r) => r.p99Ms)).toFixed(1)} | ${handlerCalls(results)} | ${results.at(-1)!.answeredAs} |`,
    );
  }
  return lines.join('\n');
}

/** Median share of the server's CPU time spent in the kernel, in percent. */
function kernelShareOf(results: RowSample[]): string {
  const shares = results.map((r) => r.kernelShare).filter((v): v is number => v !== undefined);
  return shares.length ? `${Math.round(median(shares) * 100)} %` : '–';
}

function failures(results: RowSample[]): string {
  const failed = results.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  return failed ? ` (**${failed} failed**)` : '';
}

/** (max − min) / median of the rounds, in percent. */
function spread(results: RowSample[], rps: number): string {
  const values = results.map((r) => r.requestsPerSecond);
  return `±${Math.round(((Math.max(...values) - Math.min(...values)) / rps / 2) * 100)} %`;
}

/** Handler calls per round (at most, over the rounds): 1 for a row of hits (its first probe). */
function handlerCalls(results: RowSample[]): string {
  const counts = results.map((r) => r.handlerCalls).filter((n): n is number => n !== undefined);
  return counts.length ? Math.max(...counts).toLocaleString('en') : '–';
}

/** One line per target of the issue that set them: the measured value, the bound, met or not. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return [
    '| target | measured | met |',
    '|---|---|---|',
    ...checks.map(
      (c) =>
        `| ${c.target} | ${c.measured} | ${c.met === undefined ? 'not measured' : c.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
}
