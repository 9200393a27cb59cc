/** One request of the demo, as a row of its table. */
export interface DemoRow {
  readonly request: string;
  readonly status: number;
  readonly cache: string;
  readonly ms: number;
  readonly note: string;
  /** Whether it went as the demo said it would (`false` is printed with a ✗). */
  readonly ok: boolean;
}

const HEADERS = ['#', 'request', 'status', 'X-Cache', 'time', 'what happened'] as const;

/** The rows as a plain-text table that reads well in a terminal and pasted in Markdown. */
export function formatTable(rows: readonly DemoRow[]): string {
  const cells = rows.map((row, index) => [
    String(index + 1),
    row.request,
    String(row.status),
    row.cache,
    `${row.ms.toFixed(1)} ms`,
    `${row.ok ? '' : '✗ '}${row.note}`,
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...cells.map((cell) => cell[column]!.length)),
  );
  const right = new Set([0, 2, 4]);
  const line = (values: readonly string[]) =>
    values
      .map((value, column) =>
        right.has(column) ? value.padStart(widths[column]!) : value.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(HEADERS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}
