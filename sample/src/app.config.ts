import { fileURLToPath } from 'node:url';

/** The HTTP platform the blog runs on. */
export type AdapterName = 'express' | 'fastify';

/** Where the blog keeps its posts. */
export type DatabaseConfig =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgresql'; readonly url: string };

/**
 * Where the layout's greeting comes from: a personal fragment filled per response on the stored
 * page (`fragment`, the default), or rendered into the page from the session (`inline`: what an
 * app without fragments does; it makes every page personal, for the hit-ratio comparison).
 */
export type GreetingMode = 'fragment' | 'inline';

/** The session secret of a development run; set SESSION_SECRET anywhere else. */
export const DEV_SESSION_SECRET = 'the sample blog: a development secret, never for production';

/** Everything the environment decides; `readConfig()` builds it, tests write it by hand. */
export interface AppConfig {
  readonly port: number;
  readonly adapter: AdapterName;
  readonly database: DatabaseConfig;
  /** Redis for the page cache; without it, pages live in this process's memory. */
  readonly redisUrl?: string;
  /** A Varnish in front of the blog, kept in step with the page cache; without it, none. */
  readonly varnishUrl?: string;
  /** The site's public address, for the absolute links of the RSS feed. */
  readonly publicUrl: string;
  /** Signs the session cookie (at least 32 characters); `DEV_SESSION_SECRET` when left out. */
  readonly sessionSecret?: string;
  /** `fragment` when left out. */
  readonly greeting?: GreetingMode;
}

/** `sample/blog.sqlite`, wherever the app is started from. */
export const DEFAULT_SQLITE_FILE = fileURLToPath(new URL('../blog.sqlite', import.meta.url));

/**
 * Reads `PORT`, `ADAPTER`, `DATABASE_URL`, `REDIS_URL`, `SAMPLE_VARNISH_URL`, `PUBLIC_URL`,
 * `SESSION_SECRET` and `SAMPLE_GREETING`.
 *
 * `DATABASE_URL` is a `postgres://` / `postgresql://` URL for PostgreSQL, or `file:<path>` for
 * another SQLite file; without it the blog lives in `sample/blog.sqlite`.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be a port number (got "${env.PORT}")`);
  const adapter = (env.ADAPTER || 'express').toLowerCase();
  if (adapter !== 'express' && adapter !== 'fastify') {
    throw new Error(`ADAPTER must be "express" or "fastify" (got "${env.ADAPTER}")`);
  }
  const greeting = (env.SAMPLE_GREETING || 'fragment').toLowerCase();
  if (greeting !== 'fragment' && greeting !== 'inline') {
    throw new Error(`SAMPLE_GREETING must be "fragment" or "inline" (got "${env.SAMPLE_GREETING}")`);
  }
  const sessionSecret = env.SESSION_SECRET || DEV_SESSION_SECRET;
  if (sessionSecret.length < 32) throw new Error('SESSION_SECRET must be at least 32 characters long');
  return {
    port,
    adapter,
    database: readDatabase(env.DATABASE_URL),
    redisUrl: env.REDIS_URL || undefined,
    varnishUrl: readVarnishUrl(env.SAMPLE_VARNISH_URL),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    sessionSecret,
    greeting,
  };
}

function readDatabase(url: string | undefined): DatabaseConfig {
  if (!url) return { kind: 'sqlite', file: DEFAULT_SQLITE_FILE };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgresql', url };
  if (url.startsWith('file:'))
    return { kind: 'sqlite', file: url.startsWith('file://') ? fileURLToPath(url) : url.slice(5) };
  throw new Error(`DATABASE_URL must start with postgresql:// or file: (got "${url}")`);
}

function readVarnishUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new Error(`SAMPLE_VARNISH_URL must be Varnish's http:// address (got "${url}")`);
  return url;
}

/** What `main.ts` prints: which adapter, database and page store this run uses, and its Varnish. */
export function describeConfig(
  config: AppConfig,
): Record<'adapter' | 'database' | 'cache', string> & { readonly edge?: string } {
  const { database } = config;
  return {
    adapter: config.adapter === 'express' ? 'Express (ADAPTER=fastify for Fastify)' : 'Fastify',
    database:
      database.kind === 'sqlite'
        ? `SQLite ${database.file}${database.file === DEFAULT_SQLITE_FILE ? ' (DATABASE_URL=postgresql://… for PostgreSQL)' : ''}`
        : `PostgreSQL ${redact(database.url)}, schema "blog"`,
    cache: config.redisUrl
      ? `Redis ${redact(config.redisUrl)}`
      : 'in-process memory (REDIS_URL=redis://… for Redis)',
    ...(config.varnishUrl && { edge: `Varnish at ${config.varnishUrl}, purged on every commit` }),
  };
}

/** The URL without its password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Injection token of the `AppConfig` the app was built with. */
export const APP_CONFIG = Symbol('AppConfig');
