import { readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has spent in its own code (user) and in the kernel on its behalf (system). */
export interface CpuSeconds {
  readonly user: number;
  readonly system: number;
}

/**
 * CPU seconds a process and its child processes have used so far, from `/proc/<pid>/stat`;
 * undefined where there is no `/proc`. Varnish serves from a child of `varnishd`, hence the
 * children.
 */
export function cpuSeconds(pid: number): CpuSeconds | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let user = Number(fields[11]) / TICKS_PER_SECOND;
    let system = Number(fields[12]) / TICKS_PER_SECOND;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const child of children) {
      const times = cpuSeconds(Number(child));
      user += times?.user ?? 0;
      system += times?.system ?? 0;
    }
    return { user, system };
  } catch {
    return undefined;
  }
}
