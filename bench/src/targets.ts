import type { Samples } from './measure-rows.js';
import type { MemoryCost } from './memory-cost.js';
import type { RedisPerHit } from './redis-per-hit.js';
import { cpuOf, rpsOf, type TargetCheck } from './report.js';

const ADAPTERS = ['express', 'fastify'] as const;

/** A target of the form "row ÷ base row ≥ bound", where higher is better (req/s, or 1 ÷ cost). */
export interface RatioTarget {
  readonly target: string;
  readonly id: string;
  readonly baseId: string;
  readonly bound: number;
}

/** The ratio targets over rows of the in-memory store (Redis ones are added by `checkTargets`). */
export function memoryRatioTargets(): RatioTarget[] {
  return ADAPTERS.flatMap((adapter) => [
    {
      target: `${adapter}: fast-path hit, memory ÷ raw node:http`,
      id: `${adapter}:fast`,
      baseId: 'raw',
      bound: 0.8,
    },
    {
      target: `${adapter}: scaffolded app (helmet, compression, CORS, cookies, session), defaults, hit ÷ raw node:http`,
      id: `${adapter}:scaffolded`,
      baseId: 'raw',
      bound: 0.8,
    },
    {
      target: `${adapter}: sample post page, defaults ÷ fastPath: false`,
      id: `${adapter}:sample-post:page-cache`,
      baseId: `${adapter}:sample-post:page-cache-interceptor`,
      bound: 10,
    },
    {
      target: `${adapter}: fast-path hit, memory ÷ Varnish`,
      id: `${adapter}:fast`,
      baseId: 'varnish',
      bound: 1.0,
    },
    {
      target: `${adapter}: interceptor-path hit (route with a guard) ÷ floor`,
      id: `${adapter}:interceptor-guard`,
      baseId: `${adapter}:floor`,
      bound: 1.0,
    },
    {
      target: `${adapter}: fast-path gzip hit ÷ identity hit`,
      id: `${adapter}:fast-gzip`,
      baseId: `${adapter}:fast`,
      bound: 0.9,
    },
    {
      target: `${adapter}: fast-path br hit ÷ identity hit`,
      id: `${adapter}:fast-br`,
      baseId: `${adapter}:fast`,
      bound: 0.9,
    },
  ]);
}

/** Checks ratio targets against `score` (higher is better), with `detail` shown after the ratio. */
export function checkRatios(
  targets: readonly RatioTarget[],
  score: (id: string) => number | undefined,
  detail: (target: RatioTarget) => string = () => '',
): TargetCheck[] {
  return targets.map((t) => {
    const value = score(t.id);
    const base = score(t.baseId);
    const measured = value && base ? value / base : undefined;
    return {
      target: `${t.target} ≥ ${t.bound.toFixed(2)}×`,
      measured: measured === undefined ? '–' : `${measured.toFixed(2)}×${detail(t)}`,
      met: measured === undefined ? undefined : measured >= t.bound,
    };
  });
}

/** Checks the throughput, Redis and memory targets against this run's figures. */
export function checkTargets(
  samples: Samples,
  redis: readonly RedisPerHit[],
  memory: MemoryCost,
): TargetCheck[] {
  const redisTargets = ADAPTERS.map((adapter) => ({
    target: `${adapter}: fast-path hit, Redis ÷ raw node:http`,
    id: `${adapter}:fast-redis`,
    baseId: 'raw',
    bound: 0.5,
  }));
  const perCpu = ({ id, baseId }: RatioTarget) => {
    const cpu = cpuOf(samples, id);
    const baseCpu = cpuOf(samples, baseId);
    return cpu && baseCpu ? ` (per CPU-second: ${(baseCpu / cpu).toFixed(2)}×)` : '';
  };
  const checks = checkRatios([...memoryRatioTargets(), ...redisTargets], (id) => rpsOf(samples, id), perCpu);
  // Per CPU-second: the server's CPU time per request, steadier than req/s on a shared machine.
  const perCpuTargets = ADAPTERS.map((adapter) => ({
    target: `${adapter}: fast-path hit per CPU-second ÷ raw node:http`,
    id: `${adapter}:fast`,
    baseId: 'raw',
    bound: 0.95,
  }));
  checks.push(
    ...checkRatios(perCpuTargets, (id) => {
      const cpu = cpuOf(samples, id);
      return cpu ? 1 / cpu : undefined;
    }),
  );
  for (const hit of redis.filter((r) => r.mode === 'page-cache')) {
    const roundTrips = Object.values(hit.commands).reduce((sum, calls) => sum + calls, 0);
    checks.push({
      target: `${hit.adapter}: Redis fast hit: at most one round trip, no page body`,
      measured: `${roundTrips.toFixed(2)} commands, ${Math.round(hit.bytesOut)} of ${hit.pageBytes} bytes`,
      // Two decimals, as shown: a client's own connect-time commands add a few per 2,000 hits.
      met: Math.round(roundTrips * 100) <= 100 && hit.bytesOut < hit.pageBytes / 4,
    });
  }
  checks.push({
    target: 'memory of 10,000 cached 20 KB pages (gzip and br copies held) ≤ 1.30× their bytes',
    measured: `${memory.perBodyByte.toFixed(2)}×`,
    met: memory.perBodyByte <= 1.3,
  });
  return checks;
}
