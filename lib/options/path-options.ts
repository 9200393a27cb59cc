import type {
  CachePageModuleOptions,
  PathPattern,
} from '../interfaces/cache-page-module-options.interface.js';
import { ignorePathWithoutItselfMessage, invalidIgnorePathMessage } from '../cache-page.messages.js';
import { CACHE_PAGE_DEFAULTS } from './defaults.js';
import { resolveString } from './option-values.js';

/** The paths group: which pages are never cached, and the prefix of every key. */
export function resolvePathOptions(options: CachePageModuleOptions) {
  const ignorePaths = resolveIgnorePaths(options.ignorePaths);
  return {
    ignorePaths,
    keyPrefix: resolveString('keyPrefix', options.keyPrefix, CACHE_PAGE_DEFAULTS.keyPrefix),
    warnings: ignorePaths.flatMap(ignorePathWarning),
  };
}

function resolveIgnorePaths(value: unknown): PathPattern[] {
  if (value === undefined) return [...CACHE_PAGE_DEFAULTS.ignorePaths];
  const patterns: unknown[] = Array.isArray(value) ? value : [value];
  return patterns.map((pattern) => toPathPattern(pattern));
}

function toPathPattern(pattern: unknown): PathPattern {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps lastIndex between test() calls and would match every other request.
    return pattern.global || pattern.sticky
      ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
      : pattern;
  }
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new TypeError(invalidIgnorePathMessage(pattern, 'expected a path such as "/account" or a RegExp'));
  }
  return pattern;
}

/**
 * A RegExp such as `/^\/account\//` matches everything under `/account` but not `/account`
 * itself, which is then cached: almost never what was meant.
 */
function ignorePathWarning(pattern: PathPattern): string[] {
  if (typeof pattern === 'string') return [];
  const literal = /^\^((?:\\\/|[\w.~-])+)/.exec(pattern.source)?.[1]?.replace(/\\\//g, '/');
  if (!literal?.endsWith('/') || literal === '/') return [];
  const itself = literal.slice(0, -1);
  return pattern.test(`${literal}x`) && !pattern.test(itself)
    ? [ignorePathWithoutItselfMessage(pattern, itself)]
    : [];
}
