import type { IncomingHttpHeaders } from 'node:http';
import { requestPagePath } from '../store/page-path.js';
import { canonicalQuery, pageKey, type PageKey } from '../store/page-key.js';
import type { PathMapping } from '../store/path-mapping.js';
import type { IgnoreRules } from './ignore-rules.js';

/** A request's page key, plus whether `ignorePaths` excludes the request. */
export interface RequestPageKey extends PageKey {
  readonly ignored: boolean;
}

const CAPACITY = 4_000;

/**
 * Builds request page keys, and remembers those of recently requested URLs so a hit on a hot
 * page does not decode, normalise and match its path again. Bounded: when full it starts over.
 */
export class RequestPageKeys {
  private readonly keys = new Map<string, RequestPageKey>();

  constructor(
    private readonly keyPrefix: string,
    private readonly ignore: IgnoreRules,
    private readonly paths: PathMapping,
    /** How many buckets keys are spread over (a Redis Cluster), else 0: see `pageKey`. */
    private readonly buckets = 0,
  ) {}

  /** The key of `url` (path plus query string) requested from `origin` (`''`: not keyed by host). */
  of(origin: string, url: string): RequestPageKey {
    const memo = `${origin} ${url}`;
    let key = this.keys.get(memo);
    if (key === undefined) {
      const queryStart = url.indexOf('?');
      const path = queryStart === -1 ? url : url.slice(0, queryStart);
      const query = queryStart === -1 ? '' : canonicalQuery(url.slice(queryStart + 1));
      const canonical = requestPagePath(path);
      const pagePath = this.paths.strip(canonical);
      key = {
        ...pageKey(this.keyPrefix, { origin, path, query, pagePath }, this.buckets),
        ignored: this.ignore.matches(path, canonical),
      };
      if (this.keys.size >= CAPACITY) this.keys.clear();
      this.keys.set(memo, key);
    }
    return key;
  }

  /** Forgets every key, after the path mapping changed. */
  clear(): void {
    this.keys.clear();
  }
}

/**
 * `http://host:port` as the client named it: the forwarded host and protocol when a proxy sent
 * them (a page that prints links may use them, so an attacker's `X-Forwarded-Host` gets an entry
 * of its own instead of poisoning everyone's), else `Host`. Lower-cased, default ports dropped,
 * and no port for a loopback host (`localhost`, `127.0.0.1`, `[::1]`), so tests and tools that
 * reach the app on changing ports (supertest on a server that is not listening) share its pages.
 */
export function requestOrigin(headers: IncomingHttpHeaders, encrypted: boolean): string {
  const host = headers.host;
  const plain =
    typeof host === 'string' &&
    host.length <= REMEMBERED_HOST_LENGTH &&
    headers['x-forwarded-host'] === undefined &&
    headers['x-forwarded-proto'] === undefined &&
    headers.forwarded === undefined;
  if (!plain) return originOf(headers, encrypted);
  // Without forwarding headers the origin depends on `Host` and TLS only: worked out once per
  // host, since a hit would otherwise spend more on it than on finding the page.
  const remembered = encrypted ? originsOverTls : origins;
  let origin = remembered.get(host);
  if (origin === undefined) {
    origin = originOf(headers, encrypted);
    if (remembered.size >= REMEMBERED_HOSTS) remembered.clear();
    remembered.set(host, origin);
  }
  return origin;
}

const REMEMBERED_HOSTS = 256;
const REMEMBERED_HOST_LENGTH = 255;
const origins = new Map<string, string>();
const originsOverTls = new Map<string, string>();

function originOf(headers: IncomingHttpHeaders, encrypted: boolean): string {
  const forwarded = parseForwarded(headers.forwarded);
  const host = firstValue(headers['x-forwarded-host']) ?? forwarded.host ?? firstValue(headers.host) ?? '';
  const proto = (
    firstValue(headers['x-forwarded-proto']) ??
    forwarded.proto ??
    (encrypted ? 'https' : 'http')
  ).toLowerCase();
  let name = host.trim().toLowerCase();
  if ((proto === 'http' && name.endsWith(':80')) || (proto === 'https' && name.endsWith(':443'))) {
    name = name.slice(0, name.lastIndexOf(':'));
  }
  const loopback = /^(?:localhost|127\.0\.0\.1|\[::1\]):\d+$/.exec(name);
  if (loopback) name = name.slice(0, name.lastIndexOf(':'));
  return `${proto}://${name}`;
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim();
}

/** `Forwarded: for=…;host=a.example;proto=https, …`: the first element's host and proto. */
function parseForwarded(header: string | string[] | undefined): { host?: string; proto?: string } {
  const first = firstValue(header);
  if (!first) return {};
  const found: { host?: string; proto?: string } = {};
  for (const part of first.split(';')) {
    const [name, raw] = part.split('=', 2).map((piece) => piece?.trim());
    const value = raw?.replace(/^"|"$/g, '');
    if (name?.toLowerCase() === 'host' && value) found.host = value;
    if (name?.toLowerCase() === 'proto' && value) found.proto = value;
  }
  return found;
}
