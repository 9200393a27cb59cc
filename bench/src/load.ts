import { spawn, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import { onCore } from './cores.js';
import { cpuSeconds } from './cpu-time.js';

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** CPU time the server used per request answered, in microseconds (when /proc tells). */
  readonly cpuMicrosPerRequest?: number;
  /** The part of that CPU time spent in the kernel (system time), 0–1. */
  readonly kernelShare?: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
}

/**
 * Settings shared by every measurement, so rows are comparable. wrk (a C load generator, one
 * thread) when it is installed, so the generator is not what limits a fast row; autocannon else.
 */
export const LOAD = {
  tool: spawnSync('wrk', ['--version']).error ? 'autocannon' : 'wrk',
  connections: 50,
  warmupSeconds: 1,
  durationSeconds: Number(process.env.BENCH_SECONDS ?? 3),
} as const;

/** Called when the measured seconds begin and end (after the warm-up). */
export interface MeasuredSeconds {
  readonly onMeasuring?: () => void;
  readonly onMeasured?: () => void;
}

/**
 * Warms a route up, then measures it under a fixed number of connections, with the CPU time the
 * server process `pid` spent meanwhile: on a shared machine, CPU per request varies much less
 * from run to run than requests per second.
 */
export async function measure(
  url: string,
  headers: Record<string, string>,
  pid: number,
  around: MeasuredSeconds = {},
): Promise<LoadResult> {
  await run(url, headers, LOAD.warmupSeconds);
  around.onMeasuring?.();
  const cpuBefore = cpuSeconds(pid);
  const result = await run(url, headers, LOAD.durationSeconds);
  const cpuAfter = cpuSeconds(pid);
  around.onMeasured?.();
  const requests = result.requestsPerSecond * LOAD.durationSeconds;
  if (cpuBefore === undefined || cpuAfter === undefined || requests === 0) return result;
  const user = cpuAfter.user - cpuBefore.user;
  const system = cpuAfter.system - cpuBefore.system;
  return {
    ...result,
    cpuMicrosPerRequest: ((user + system) / requests) * 1e6,
    kernelShare: user + system > 0 ? system / (user + system) : undefined,
  };
}

function run(url: string, headers: Record<string, string>, seconds: number): Promise<LoadResult> {
  return LOAD.tool === 'wrk' ? runWrk(url, headers, seconds) : runAutocannon(url, headers, seconds);
}

async function runAutocannon(url: string, headers: Record<string, string>, seconds: number) {
  const result = await autocannon({ url, headers, connections: LOAD.connections, duration: seconds });
  return {
    requestsPerSecond: result.requests.mean,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function runWrk(url: string, headers: Record<string, string>, seconds: number): Promise<LoadResult> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${LOAD.connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url];
  return new Promise((resolve, reject) => {
    const child = spawn(...onCore(0, 'wrk', args), { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
      if (code !== 0 || !rps) return reject(new Error(`wrk ${args.join(' ')} failed (${code}): ${output}`));
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
        output,
      );
      resolve({
        requestsPerSecond: Number(rps[1]),
        p99Ms: wrkMilliseconds(/^\s+99%\s+([\d.]+)(us|ms|s)/m.exec(output)),
        errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
      });
    });
  });
}

function wrkMilliseconds(match: RegExpExecArray | null): number {
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1_000 : match[2] === 's' ? value * 1_000 : value;
}
