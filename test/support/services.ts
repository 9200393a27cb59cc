import { describe, test } from '@jest/globals';
import { connect } from 'node:net';

/** Where the real services of the test suites live (overridable for other machines). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Whether something accepts TCP connections at the URL's host and port. */
export function isReachable(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * `describe` for a suite that needs a real service. When the service is absent the suite is
 * skipped with a loud warning, and under `CI=true` it fails instead, so a green CI always means
 * the suite ran.
 */
export function describeWithService(
  service: string,
  url: string,
  reachable: boolean,
  name: string,
  body: () => void,
) {
  if (reachable) return describe(name, body);
  const reason = `${service} not reachable at ${url}`;
  if (process.env.CI === 'true') {
    return describe(name, () => {
      test(`needs ${service}`, () => {
        throw new Error(`${reason}: CI=true requires it (start it, or install it with apt).`);
      });
    });
  }
  process.stderr.write(`\n*** skipped: ${reason} — suite "${name}" did not run ***\n\n`);
  return describe.skip(name, body);
}
