import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a `.cpuprofile` (V8's `Profiler.Profile`) this reads. */
interface Profile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
  }[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Samples of one profile in a time window, by where the sampled code lives. */
export interface SampleShares {
  /** Samples in the window that were not idle (waiting for the network). */
  readonly busy: number;
  /** Busy samples per group. */
  readonly byGroup: ReadonlyMap<string, number>;
}

const LIBRARY = dirname(fileURLToPath(import.meta.resolve('nestjs-cache-page')));
const BENCH_APP = dirname(fileURLToPath(import.meta.url));

/**
 * Reads a CPU profile written by `node --cpu-prof` and counts the samples taken between `from`
 * and `to` (microseconds of the monotonic clock, which V8's profiler timestamps share with
 * `process.hrtime`), grouped by what ran: this library, the benchmark app, a package, Node's
 * HTTP, stream and other internals, the `writev` that hands the response to the kernel (its
 * kernel time included: a sample lands on it while the call runs), the garbage collector, and
 * V8's own work outside JavaScript (`(program)`).
 */
export function sampleShares(file: string, from: number, to: number): SampleShares {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const groupOf = new Map(profile.nodes.map((node) => [node.id, groupOfFrame(node.callFrame)]));
  const byGroup = new Map<string, number>();
  let busy = 0;
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index];
    const group = groupOf.get(id)!;
    if (time < from || time > to || group === '(idle)') return;
    busy += 1;
    byGroup.set(group, (byGroup.get(group) ?? 0) + 1);
  });
  return { busy, byGroup };
}

function groupOfFrame({ functionName, url }: { functionName: string; url: string }): string {
  if (functionName.startsWith('(')) return functionName;
  if (url === '')
    return functionName === 'writev' ? 'writev (the send, kernel included)' : 'other native code';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.startsWith(LIBRARY)) return 'nestjs-cache-page';
  if (path.startsWith(BENCH_APP)) return 'the benchmark app';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inPackage) return packageGroup(inPackage[1]);
  if (/^node:(_http_|internal\/http)/.test(path)) return "Node's HTTP";
  if (/^node:(net|internal\/(streams|stream_base|net))/.test(path)) return "Node's streams and sockets";
  return "Node's other internals";
}

function packageGroup(name: string): string {
  if (name.startsWith('@nestjs/')) return 'Nest';
  if (['express', 'router', 'body-parser', 'finalhandler', 'send', 'serve-static'].includes(name))
    return 'Express';
  if (
    name === 'fastify' ||
    name.startsWith('@fastify/') ||
    ['find-my-way', 'avvio', 'light-my-request'].includes(name)
  )
    return 'Fastify';
  return 'other packages';
}
