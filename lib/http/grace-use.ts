import { HttpException } from '@nestjs/common';
import type { CachedPage } from '../store/page-reader.js';
import type { StalePage } from '../store/stale-page.js';
import type { PageGrace } from './route-policy.js';

/** What a route's grace allows a request whose page changed once since it was stored. */
export interface GraceUse {
  /** The page one change behind. */
  readonly page: CachedPage;
  /** Within `staleWhileRevalidate`: how much of it is left, ms (`0`: past it). */
  readonly refreshWindowMs: number;
  /** Within `staleIfError`: the page is served if this request's own render fails. */
  readonly ifError: boolean;
}

/**
 * The grace a request gets: none for a route without one, without a stale page, for a visitor
 * whose own write made the page stale, or past both windows (counted from the change).
 */
export function graceUse(
  grace: PageGrace | undefined,
  stale: StalePage | undefined,
  wroteRecently: boolean,
  now = Date.now(),
): GraceUse | undefined {
  if (!grace || !stale || wroteRecently) return undefined;
  const age = Math.max(0, now - stale.since);
  const refreshWindowMs = Math.max(0, grace.whileRevalidate - age);
  const ifError = age < grace.ifError;
  if (refreshWindowMs === 0 && !ifError) return undefined;
  return { page: stale.page, refreshWindowMs, ifError };
}

/** A render failure that `staleIfError` covers: anything but an HTTP exception below 500. */
export function isServerError(error: unknown): boolean {
  return !(error instanceof HttpException) || error.getStatus() >= 500;
}
