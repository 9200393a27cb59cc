import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake API received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The keys the body named (`surrogate_keys` or `tags`), or `[]`. */
  readonly keys: readonly string[];
}

/** How the fake answers one request instead of its faithful default. */
export type Reply =
  { readonly status: number; readonly headers?: Record<string, string>; readonly json?: unknown } | 'hang';

interface Provider {
  readonly keysField: 'surrogate_keys' | 'tags';
  readonly maxKeys: number;
  readonly path: (id: string) => string;
  readonly authorized: (headers: IncomingHttpHeaders, token: string) => boolean;
  readonly refuse: (status: number, message: string) => unknown;
  readonly accept: (keys: readonly string[]) => unknown;
}

const FASTLY: Provider = {
  keysField: 'surrogate_keys',
  maxKeys: 256,
  path: (serviceId) => `/service/${serviceId}/purge`,
  authorized: (headers, token) => headers['fastly-key'] === token,
  // Fastly's API errors: {"msg": "...", "detail": "..."}.
  refuse: (status, message) => ({
    msg: status === 401 ? 'Provided credentials are missing or invalid' : message,
  }),
  // Fastly's batch purge answers each key with its purge ID.
  accept: (keys) => Object.fromEntries(keys.map((key, index) => [key, `108-1391560174-${index}`])),
};

const CLOUDFLARE: Provider = {
  keysField: 'tags',
  maxKeys: 100,
  path: (zoneId) => `/client/v4/zones/${zoneId}/purge_cache`,
  authorized: (headers, token) => headers.authorization === `Bearer ${token}`,
  refuse: (status, message) => ({
    success: false,
    errors: [{ code: status === 403 ? 10000 : status === 404 ? 7003 : 1000, message }],
    messages: [],
    result: null,
  }),
  accept: () => ({ success: true, errors: [], messages: [], result: { id: 'purge-id' } }),
};

/**
 * A local HTTP server speaking Fastly's batch surrogate-key purge or Cloudflare's purge-by-tag API
 * faithfully enough for the purgers: it checks the method, path, auth header, content type, body
 * shape and the per-request key limit (400 beyond it), records every request and the keys it
 * acknowledged, and can be told to answer otherwise (`replyTo`) or to hang.
 */
export class FakeCdnApi {
  readonly requests: RecordedRequest[] = [];
  /** Keys of the requests answered with success, in order. */
  readonly acknowledged: string[] = [];
  /** Returns a reply to override the faithful one for this request (its index among all requests). */
  replyTo: (request: RecordedRequest, index: number) => Reply | undefined = () => undefined;
  /** The most requests that were under way at once. */
  maxInFlight = 0;
  private inFlight = 0;

  private constructor(
    private readonly server: Server,
    private readonly provider: Provider,
    readonly id: string,
    readonly token: string,
  ) {}

  static fastly(serviceId: string, token: string): Promise<FakeCdnApi> {
    return FakeCdnApi.start(FASTLY, serviceId, token);
  }

  static cloudflare(zoneId: string, token: string): Promise<FakeCdnApi> {
    return FakeCdnApi.start(CLOUDFLARE, zoneId, token);
  }

  /** Where it listens (kept after `close()`, when that address refuses connections). */
  url = '';

  /** Stops listening and drops every connection (hanging ones included): later requests are refused. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private static async start(provider: Provider, id: string, token: string): Promise<FakeCdnApi> {
    const server = createServer();
    const api = new FakeCdnApi(server, provider, id, token);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body,
          keys: keysOf(body, provider.keysField),
        };
        const index = api.requests.push(recorded) - 1;
        api.inFlight++;
        api.maxInFlight = Math.max(api.maxInFlight, api.inFlight);
        response.on('close', () => api.inFlight--);
        // A small delay, so that requests sent at once are under way together.
        setTimeout(() => api.answer(recorded, index, response), 10);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return api;
  }

  private answer(request: RecordedRequest, index: number, response: ServerResponse): void {
    const reply = this.replyTo(request, index) ?? this.faithful(request);
    if (reply === 'hang') return;
    if (reply.status >= 200 && reply.status < 300 && reply.json !== undefined) {
      const json = reply.json as Record<string, unknown>;
      if (this.provider === FASTLY)
        this.acknowledged.push(...request.keys.filter((key) => Object.hasOwn(json, key)));
      else if (json.success === true) this.acknowledged.push(...request.keys);
    }
    response.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    response.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
  }

  /** What the real API would answer. */
  private faithful(request: RecordedRequest): Reply {
    const { provider } = this;
    const refuse = (status: number, message: string): Reply => ({
      status,
      json: provider.refuse(status, message),
    });
    if (request.path !== provider.path(this.id)) return refuse(404, `Could not route to ${request.path}`);
    if (request.method !== 'POST') return refuse(405, 'Method not allowed');
    if (!provider.authorized(request.headers, this.token))
      return refuse(provider === FASTLY ? 401 : 403, 'Authentication error');
    if (!String(request.headers['content-type']).startsWith('application/json'))
      return refuse(415, 'Content-Type must be application/json');
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return refuse(400, 'Malformed JSON');
    }
    const keys = (body as Record<string, unknown> | null)?.[provider.keysField];
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'string'))
      return refuse(400, `"${provider.keysField}" must be a non-empty array of strings`);
    if (keys.length > provider.maxKeys)
      return refuse(
        400,
        `At most ${provider.maxKeys} ${provider.keysField} per request (got ${keys.length})`,
      );
    return { status: 200, json: provider.accept(keys as string[]) };
  }
}

function keysOf(body: string, field: string): string[] {
  try {
    const keys = (JSON.parse(body) as Record<string, unknown>)[field];
    return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return [];
  }
}

/** `count` distinct surrogate keys as the module makes them: lower-case hex, 24 characters. */
export function hexKeys(count: number, seed = 0): string[] {
  return Array.from({ length: count }, (_, index) =>
    (seed * 1_000_000 + index).toString(16).padStart(24, '0'),
  );
}
