import { canonicalPath } from '../store/page-path.js';

/**
 * `ignorePaths`, compiled: a string names a path and everything under it (`'/account'` matches
 * `/account`, `/account/` and `/account/orders`, not `/accounts`), a RegExp is matched as it is.
 * Both are tried on the path as received and on its canonical form (decoded, lower-cased), so
 * `/ADMIN/` or `/%61dmin` cannot slip past `'/admin'`.
 */
export class IgnoreRules {
  private readonly prefixes: readonly string[];
  private readonly patterns: readonly RegExp[];

  constructor(rules: readonly (string | RegExp)[]) {
    this.prefixes = rules.filter((rule): rule is string => typeof rule === 'string').map(canonicalPath);
    this.patterns = rules.filter((rule): rule is RegExp => rule instanceof RegExp);
  }

  matches(rawPath: string, canonical: string): boolean {
    for (const prefix of this.prefixes) {
      if (prefix === '/' || canonical === prefix || canonical.startsWith(`${prefix}/`)) return true;
    }
    return this.patterns.some((pattern) => pattern.test(rawPath) || pattern.test(canonical));
  }
}
