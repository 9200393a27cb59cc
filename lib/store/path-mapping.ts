import { canonicalPath } from './page-path.js';

export interface PathMappingSummary {
  readonly globalPrefix?: string;
  readonly versions: readonly string[];
  readonly modulePrefixes: readonly string[];
}

/**
 * How the app serves page paths beyond its controllers: a global prefix, URI versions, and
 * `RouterModule` prefixes. Both sides of the cache reduce a path with it (request paths always,
 * invalidated paths in addition to their own reading), so `/posts/hello` and
 * `/api/v1/posts/hello` name the same page. Filled in when the app starts.
 */
export class PathMapping {
  private globalPrefix: string | undefined;
  private versions: ReadonlySet<string> = new Set();
  private modulePrefixes: readonly string[] = [];

  /** Sets what to strip: each a canonical path (`/api`), versions as full segments (`v1`). */
  configure(
    globalPrefix: string | undefined,
    versionSegments: Iterable<string>,
    modulePrefixes: Iterable<string>,
  ): void {
    this.globalPrefix = globalPrefix && globalPrefix !== '/' ? canonicalPath(globalPrefix) : undefined;
    this.versions = new Set([...versionSegments].map((segment) => segment.toLowerCase()));
    // Longest first, so nested RouterModule paths strip whole.
    this.modulePrefixes = [...new Set([...modulePrefixes].map((prefix) => canonicalPath(prefix)))]
      .filter((prefix) => prefix !== '/')
      .sort((a, b) => b.length - a.length);
  }

  /** What is mapped, for the startup log line. */
  summary(): PathMappingSummary {
    return {
      globalPrefix: this.globalPrefix,
      versions: [...this.versions],
      modulePrefixes: [...this.modulePrefixes],
    };
  }

  /** A canonical path without the global prefix, then a version segment, then a module prefix. */
  strip(path: string): string {
    let rest = path;
    if (this.globalPrefix) rest = stripPrefix(rest, this.globalPrefix);
    if (this.versions.size > 0) {
      const segment = /^\/([^/]+)/.exec(rest)?.[1];
      if (segment !== undefined && this.versions.has(segment)) rest = rest.slice(segment.length + 1) || '/';
    }
    for (const prefix of this.modulePrefixes) {
      const stripped = stripPrefix(rest, prefix);
      if (stripped !== rest) return stripped;
    }
    return rest;
  }
}

/** `/api/posts` without `/api` is `/posts`; `/apis` keeps its name (whole segments only). */
function stripPrefix(path: string, prefix: string): string {
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
