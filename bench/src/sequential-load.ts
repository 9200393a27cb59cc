import { Agent, get } from 'node:http';

/** What `count` sequential requests were answered with. */
export interface SequentialResult {
  /** Responses that were not 200. */
  readonly failed: number;
  /** `X-Cache` and `Content-Encoding` of the last response. */
  readonly answeredAs: string;
}

/**
 * Sends `count` GET requests one after the other over one keep-alive connection: the same
 * requests in the same order each time, so a server's work per request is comparable between
 * runs (wrk's 50 connections batch differently from one run to the next).
 */
export async function sendSequential(
  url: string,
  headers: Record<string, string>,
  count: number,
): Promise<SequentialResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let failed = 0;
  let answeredAs = '–';
  try {
    for (let sent = 0; sent < count; sent++) {
      const response = await getOnce(url, headers, agent);
      if (response.status !== 200) failed++;
      answeredAs = response.answeredAs;
    }
  } finally {
    agent.destroy();
  }
  return { failed, answeredAs };
}

function getOnce(
  url: string,
  headers: Record<string, string>,
  agent: Agent,
): Promise<{ status: number; answeredAs: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { 'accept-encoding': 'identity', ...headers } }, (response) => {
      response.resume();
      response.once('end', () => {
        const cache =
          response.headers['x-cache'] ??
          (String(response.headers['x-varnish'] ?? '').includes(' ') ? 'Varnish hit' : '–');
        const encoding = response.headers['content-encoding'];
        resolve({
          status: response.statusCode ?? 0,
          answeredAs: `${cache}${encoding ? ` ${encoding}` : ''}`,
        });
      });
      response.once('error', reject);
    }).once('error', reject);
  });
}
