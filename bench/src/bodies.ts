import handlebars from 'handlebars';
import { readFileSync } from 'node:fs';

/** Response bodies of fixed sizes, built once, identical for every scenario. */
export const BODY_SIZES = { '1k': 1_024, '20k': 20 * 1_024, '200k': 200 * 1_024 } as const;
export type BodySize = keyof typeof BODY_SIZES;

/** A JSON document of about `bytes` bytes. */
export function jsonBody(bytes: number): string {
  const item = { id: 0, title: 'A post about caching pages forever', tags: ['nest', 'cache'] };
  const items: (typeof item)[] = [];
  while (JSON.stringify({ items }).length < bytes) items.push({ ...item, id: items.length });
  return JSON.stringify({ items }).slice(0, Math.max(bytes, 2));
}

/** View model of the benchmark page: 20 paragraphs of about 1 KB (about 20 KB of HTML). */
const PAGE_MODEL = {
  title: 'Benchmark page',
  paragraphs: Array.from(
    { length: 20 },
    (_, i) => `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(37)}`,
  ),
};

/** The benchmark page: rendered once, the same bytes for the app's routes and for raw `node:http`. */
export const PAGE_HTML: string = handlebars.compile(
  readFileSync(new URL('../views/page.hbs', import.meta.url), 'utf8'),
)(PAGE_MODEL);
