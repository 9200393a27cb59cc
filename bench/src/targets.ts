import type { Samples } from './measure-rows.js';
import type { MemoryCost } from './memory-cost.js';
import type { RedisPerHit } from './redis-per-hit.js';
import { cpuOf, rpsOf, type TargetCheck } from './report.js';

const ADAPTERS = ['express', 'fastify'] as const;

/** Checks the throughput, Redis and memory targets against this run's figures. */
export function checkTargets(
  samples: Samples,
  redis: readonly RedisPerHit[],
  memory: MemoryCost,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const compare = (target: string, id: string, baseId: string, bound: number) => {
    const value = rpsOf(samples, id);
    const base = rpsOf(samples, baseId);
    const measured = value && base ? value / base : undefined;
    const cpu = cpuOf(samples, id);
    const baseCpu = cpuOf(samples, baseId);
    const perCpu = cpu && baseCpu ? ` (per CPU-second: ${(baseCpu / cpu).toFixed(2)}×)` : '';
    checks.push({
      target: `${target} ≥ ${bound.toFixed(2)}×`,
      measured: measured === undefined ? '–' : `${measured.toFixed(2)}×${perCpu}`,
      met: measured === undefined ? undefined : measured >= bound,
    });
  };
  for (const adapter of ADAPTERS) {
    compare(`${adapter}: fast-path hit, memory ÷ raw node:http`, `${adapter}:fast`, 'raw', 0.8);
    compare(`${adapter}: fast-path hit, memory ÷ Varnish`, `${adapter}:fast`, 'varnish', 1.0);
    compare(
      `${adapter}: interceptor-path hit (route with a guard) ÷ floor`,
      `${adapter}:interceptor-guard`,
      `${adapter}:floor`,
      1.0,
    );
    compare(`${adapter}: fast-path hit, Redis ÷ raw node:http`, `${adapter}:fast-redis`, 'raw', 0.5);
    compare(`${adapter}: fast-path gzip hit ÷ identity hit`, `${adapter}:fast-gzip`, `${adapter}:fast`, 0.9);
    compare(`${adapter}: fast-path br hit ÷ identity hit`, `${adapter}:fast-br`, `${adapter}:fast`, 0.9);
  }
  for (const hit of redis.filter((r) => r.mode === 'page-cache-fast')) {
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
