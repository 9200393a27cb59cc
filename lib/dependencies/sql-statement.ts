/** What a SQL statement does, as far as its text tells: a read, a write, or neither. */
export interface SqlStatement {
  readonly kind: 'read' | 'write' | 'other';
  /** Table names it names (schema and quotes removed, lower case); `undefined` if one could not be read. */
  readonly tables: readonly string[] | undefined;
}

const READ = /^(select|with|values|table|show|explain|pragma\s+\w+\s*(?:;|$))/;
const OTHER =
  /^(begin|start|commit|rollback|savepoint|release|set|pragma|reset|discard|listen|notify|prepare|deallocate|analyze|vacuum)\b/;
const IDENTIFIER = String.raw`(?:"(?:[^"]|"")+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const TABLE = new RegExp(
  String.raw`\b(from|join|into|update|table|using)\s+(?:only\s+)?(${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})?)(\s*\()?`,
  'gi',
);
/** `FROM a, b` (or `a AS x, b`): the names after the comma are not read; the statement is unknown. */
const COMMA_JOIN = new RegExp(
  String.raw`\bfrom\s+${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})?(?:\s+(?:as\s+)?[a-z_][\w$]*)?\s*,`,
  'i',
);

/**
 * Reads a statement the way a page cache needs it: is it a read or a write, and which tables
 * does it name. Conservative: a name that is followed by `(` (a function in `FROM`), a CTE
 * name, or a statement it cannot classify makes `tables` unknown, so that the caller treats
 * it as touching everything.
 */
export function readSqlStatement(sql: string): SqlStatement {
  const text = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .toLowerCase();
  const kind = READ.test(text) ? 'read' : OTHER.test(text) ? 'other' : 'write';
  if (kind === 'other') return { kind, tables: [] };
  const ctes = new Set(
    [...text.matchAll(/(?:\bwith(?:\s+recursive)?|,)\s+([a-z_][\w$]*)\s+as\s*\(/g)].map((m) => m[1]!),
  );
  const tables = new Set<string>();
  let unknown = COMMA_JOIN.test(text);
  for (const match of text.matchAll(TABLE)) {
    // `from f(…)` is a function; `into t (…)` a column list.
    if (match[3] && match[1] !== 'into') {
      unknown = true;
      continue;
    }
    const name = unquote(match[2]!.split('.').pop()!.trim());
    if (ctes.has(name)) continue;
    tables.add(name);
  }
  if (ctes.size > 0 && /\bwith\b[\s\S]*\b(insert|update|delete)\b/.test(text) && kind === 'read') {
    // A data-modifying CTE: a write hidden in a read.
    return { kind: 'write', tables: unknown ? undefined : [...tables] };
  }
  if (tables.size === 0 && kind === 'write') unknown = true;
  return { kind, tables: unknown ? undefined : [...tables] };
}

function unquote(name: string): string {
  const first = name[0];
  if (first === '"' || first === '`' || first === '[') return name.slice(1, -1).replaceAll('""', '"');
  return name;
}

/** The SQL text of what a connection is asked to run (a string, a knex builder, a raw fragment). */
export function sqlText(query: unknown): string | undefined {
  if (typeof query === 'string') return query;
  if (typeof query !== 'object' || query === null) return undefined;
  const candidate = query as {
    sql?: unknown;
    toSQL?: () => { sql?: unknown };
    toRaw?: () => { sql?: unknown };
  };
  if (typeof candidate.sql === 'string') return candidate.sql;
  try {
    if (typeof candidate.toSQL === 'function') return String(candidate.toSQL().sql);
    if (typeof candidate.toRaw === 'function') return String(candidate.toRaw().sql);
  } catch {
    return undefined;
  }
  return undefined;
}
