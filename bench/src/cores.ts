import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * With `taskset` and at least two cores, every server runs on core 1 and the load generator on
 * core 0: each variant gets the same single core (Varnish included), and the load never competes
 * with the server it measures.
 */
export const PINNED = cpus().length >= 2 && !spawnSync('taskset', ['-V']).error;

/** `command args` to spawn so that it runs on `core` when pinning is on. */
export function onCore(core: 0 | 1, command: string, args: readonly string[]): [string, string[]] {
  return PINNED ? ['taskset', ['-c', String(core), command, ...args]] : [command, [...args]];
}
