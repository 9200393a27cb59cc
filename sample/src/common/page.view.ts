/** What every HTML page hands the layout: its title and when it was rendered. */
export interface PageView {
  readonly title: string;
  readonly renderedAt: string;
}

/**
 * The data of a rendered page. `renderedAt` shows in the footer: a page served from the cache
 * keeps the time of the render that filled it.
 */
export function pageView<T extends object>(title: string, data: T): PageView & T {
  return { title, renderedAt: new Date().toISOString(), ...data };
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
