import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One response, read to its end. */
export interface PageResponse {
  readonly status: number;
  /** The `X-Cache` header (`HIT`, `MISS`…), or `–` when the server sent none. */
  readonly cache: string;
  readonly body: string;
  /** From sending the request to the last byte of the body, in milliseconds. */
  readonly ms: number;
  /** Where a redirect points. */
  readonly location?: string;
}

/**
 * A client of one server that sends its requests one after the other on one keep-alive
 * connection, asking for identity bodies, and keeps what each answered. It sends no cookies
 * (a reader without any) until it signs in; from then on it sends the ones the server set for it.
 */
export class PageClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly cookies = new Map<string, string>();
  private keepsCookies = false;

  constructor(private readonly baseUrl: string) {}

  /** `GET path`. */
  get(path: string): Promise<PageResponse> {
    return this.send('GET', path);
  }

  /** `POST path` with `fields` as an HTML form sends them (`application/x-www-form-urlencoded`). */
  postForm(path: string, fields: Record<string, string>): Promise<PageResponse> {
    return this.send('POST', path, new URLSearchParams(fields).toString());
  }

  /** Signs in to the sample blog as `name` (its demo sign-in form): later requests send the session cookie. */
  async signIn(name: string): Promise<this> {
    this.keepsCookies = true;
    const response = await this.postForm('/login', { name });
    if (response.status !== 303) throw new Error(`signing in as ${name} answered ${response.status}`);
    return this;
  }

  /** Closes the connection. */
  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, form?: string): Promise<PageResponse> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(form));
    }
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, { method, agent: this.agent, headers }, (response) => {
        for (const setCookie of this.keepsCookies ? (response.headers['set-cookie'] ?? []) : []) {
          const [pair = ''] = setCookie.split(';');
          const equals = pair.indexOf('=');
          if (equals > 0) this.cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            cache: String(response.headers['x-cache'] ?? '–'),
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
            location: response.headers.location,
          }),
        );
        response.once('error', reject);
      });
      req.once('error', reject);
      req.end(form);
    });
  }
}
