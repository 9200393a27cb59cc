/** A moment, for a `<time datetime>` attribute and for people. */
export interface DateView {
  readonly iso: string;
  readonly text: string;
}

/** What every HTML page hands the layout. */
export interface PageView {
  readonly title: string;
  readonly renderedAt: DateView;
  /** Whether the page cache keeps this page (public pages) or never does (admin, errors). */
  readonly cached: boolean;
  /** For pages that are never cached: why, in one sentence for the footer. */
  readonly uncachedNote?: string;
  /** Whether the header greets the reader (every page but the error pages). */
  readonly greeting: boolean;
}

/**
 * The data of a public, cached page. `renderedAt` shows in the footer: a page served from the
 * cache keeps the time of the render that filled it.
 */
export function pageView<T extends object>(title: string, data: T): PageView & T {
  return { title, renderedAt: renderedNow(), cached: true, greeting: true, ...data };
}

/** The data of a page the cache never keeps (the admin area, error pages). */
export function uncachedPageView<T extends object>(title: string, note: string, data: T): PageView & T {
  return { title, renderedAt: renderedNow(), cached: false, uncachedNote: note, greeting: true, ...data };
}

function renderedNow(): DateView {
  const now = new Date();
  return { iso: now.toISOString(), text: `${now.toISOString().slice(11, 19)} UTC, ${longDate(now)}` };
}

/** `2026-11-02` → `"2 November 2026"`. */
export function longDate(date: Date): string {
  return date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** `2026-11-02T10:00:00Z` → `"2 November 2026, 10:00 UTC"`. */
export function longDateTime(date: Date): string {
  return `${longDate(date)}, ${date.toISOString().slice(11, 16)} UTC`;
}
