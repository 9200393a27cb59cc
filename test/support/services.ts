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
  return describeIfAvailable(
    service,
    reachable ? undefined : `${service} not reachable at ${url}`,
    name,
    body,
  );
}

/**
 * `describe` for a suite that needs `what` (a service, a browser). `missing` says why it is not
 * here, or is `undefined` when it is: then the suite runs. Otherwise it is skipped with a loud
 * warning, and under `CI=true` it fails instead.
 */
export function describeIfAvailable(
  what: string,
  missing: string | undefined,
  name: string,
  body: () => void,
) {
  if (missing === undefined) return describe(name, body);
  if (process.env.CI === 'true') {
    return describe(name, () => {
      test(`needs ${what}`, () => {
        throw new Error(`${missing}: CI=true requires it (start it, or install it with apt).`);
      });
    });
  }
  process.stderr.write(`\n*** skipped: ${missing} — suite "${name}" did not run ***\n\n`);
  return describe.skip(name, body);
}
