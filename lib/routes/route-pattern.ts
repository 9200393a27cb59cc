/**
 * Route patterns as the two routers read them, and the paths built from them. Express 5 reads
 * path-to-regexp 8 (`/:id`, `{/:id}` optional, `*name`, `{*name}`); Fastify reads find-my-way
 * (`/:id`, `/:id?` optional when last, `*`, `::` for a colon). Both decode a parameter with
 * `decodeURIComponent`, so a value is encoded with `encodeURIComponent` (a `/` in a `:param` too),
 * and a wildcard's segments one by one.
 */
export type RouteSyntax = 'path-to-regexp' | 'find-my-way';

export type PatternToken =
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'param'; readonly name: string; readonly optional: boolean }
  | { readonly type: 'wildcard'; readonly name: string }
  | { readonly type: 'group'; readonly tokens: readonly PatternToken[] };

export interface RoutePattern {
  readonly tokens: readonly PatternToken[];
  /** Every parameter name, in order, and whether a path may leave it out. */
  readonly params: ReadonlyMap<string, { readonly wildcard: boolean; readonly optional: boolean }>;
}

/** A pattern this module cannot build a path for; `reason` says why, for the caller's message. */
export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
}

/** A parameter value that is missing or cannot stand in a path. */
export class ParamValueError extends Error {
  override readonly name = 'ParamValueError';
  constructor(
    readonly param: string,
    readonly problem: 'missing' | 'invalid',
    detail: string,
  ) {
    super(detail);
  }
}

const ID_START = /^[$_\p{ID_Start}]$/u;
const ID_CONTINUE = /^[$\u200c\u200d\p{ID_Continue}]$/u;
const PATH_TO_REGEXP_RESERVED = '()[]+?!';
// find-my-way reads a parameter name up to the next "(", "-", "." or "/".
const FIND_MY_WAY_NAME_ENDS = '(-./';

/** @throws UnsupportedPatternError for regular expressions, modifiers, unbalanced braces */
export function parseRoutePattern(source: string, syntax: RouteSyntax): RoutePattern {
  const tokens = syntax === 'find-my-way' ? parseFindMyWay(source) : parsePathToRegexp(source);
  const params = new Map<string, { wildcard: boolean; optional: boolean }>();
  const collect = (list: readonly PatternToken[], inGroup: boolean) => {
    for (const token of list) {
      if (token.type === 'group') collect(token.tokens, true);
      else if (token.type === 'param' || token.type === 'wildcard') {
        if (params.has(token.name)) {
          throw new UnsupportedPatternError(`the parameter "${token.name}" appears twice`);
        }
        params.set(token.name, {
          wildcard: token.type === 'wildcard',
          optional: inGroup || (token.type === 'param' && token.optional) || token.name === '*',
        });
      }
    }
  };
  collect(tokens, false);
  return { tokens, params };
}

function parsePathToRegexp(source: string): PatternToken[] {
  let index = 0;
  const parseName = (): string => {
    if (source[index] === '"') {
      let name = '';
      index++;
      while (index < source.length && source[index] !== '"') {
        if (source[index] === '\\') index++;
        name += source[index++] ?? '';
      }
      if (source[index++] !== '"') throw new UnsupportedPatternError('a quoted parameter name is not closed');
      return name;
    }
    let name = '';
    while (index < source.length && (name === '' ? ID_START : ID_CONTINUE).test(source[index]!)) {
      name += source[index++];
    }
    if (name === '') throw new UnsupportedPatternError(`a parameter at index ${index} has no name`);
    return name;
  };
  const parseList = (closing: boolean): PatternToken[] => {
    const list: PatternToken[] = [];
    const text = (value: string) => {
      const last = list.at(-1);
      if (last?.type === 'text') list[list.length - 1] = { type: 'text', value: last.value + value };
      else list.push({ type: 'text', value });
    };
    while (index < source.length) {
      const char = source[index]!;
      if (char === '\\') {
        text(source[index + 1] ?? '');
        index += 2;
      } else if (char === ':' || char === '*') {
        index++;
        const name = parseName();
        list.push(char === ':' ? { type: 'param', name, optional: false } : { type: 'wildcard', name });
      } else if (char === '{') {
        index++;
        list.push({ type: 'group', tokens: parseList(true) });
      } else if (char === '}') {
        if (!closing) throw new UnsupportedPatternError(`an unexpected "}" at index ${index}`);
        index++;
        return list;
      } else if (PATH_TO_REGEXP_RESERVED.includes(char)) {
        throw new UnsupportedPatternError(
          char === '('
            ? 'regular expression parameters are not supported'
            : `"${char}" (index ${index}) is reserved in Express 5 routes`,
        );
      } else {
        text(char);
        index++;
      }
    }
    if (closing) throw new UnsupportedPatternError('a "{" is not closed');
    return list;
  };
  return parseList(false);
}

function parseFindMyWay(source: string): PatternToken[] {
  const list: PatternToken[] = [];
  let text = '';
  const flush = () => {
    if (text) list.push({ type: 'text', value: text });
    text = '';
  };
  for (let index = 0; index < source.length; index++) {
    const char = source[index]!;
    if (char === ':' && source[index + 1] === ':') {
      text += ':';
      index++;
    } else if (char === ':') {
      let end = index + 1;
      while (end < source.length && !FIND_MY_WAY_NAME_ENDS.includes(source[end]!)) end++;
      if (source[end] === '(')
        throw new UnsupportedPatternError('regular expression parameters are not supported');
      let name = source.slice(index + 1, end);
      const optional = name.endsWith('?');
      if (optional) name = name.slice(0, -1);
      if (name === '') throw new UnsupportedPatternError(`a parameter at index ${index} has no name`);
      if (optional && (!text.endsWith('/') || source.slice(end).replace(/\/$/, '') !== '')) {
        throw new UnsupportedPatternError(`the optional parameter "${name}" must be the last segment`);
      }
      flush();
      list.push({ type: 'param', name, optional });
      index = end - 1;
    } else if (char === '*') {
      if (index !== source.length - 1) throw new UnsupportedPatternError('"*" must end the route');
      flush();
      list.push({ type: 'wildcard', name: '*' });
    } else {
      text += char;
    }
  }
  flush();
  return list;
}

/**
 * The path for these values, encoded as the routers decode it. `read(name)` gives a parameter's
 * value: `undefined`, `null` or `''` leave it out (an error unless it is optional). A `:param`
 * takes a string, number, bigint or boolean, `String()`ed; a wildcard takes an array of segments
 * or a string split on `/`.
 *
 * @throws ParamValueError
 */
export function buildRoutePath(pattern: RoutePattern, read: (name: string) => unknown): string {
  const build = (tokens: readonly PatternToken[]): string => {
    let path = '';
    for (const token of tokens) {
      if (token.type === 'text') path += token.value;
      else if (token.type === 'group') path += buildGroup(token.tokens);
      else {
        const value = encodeParam(token, read(token.name));
        if (value !== undefined) path += value;
        else if (token.type === 'param' && token.optional) path = path.replace(/\/$/, '');
        else if (!(token.type === 'wildcard' && token.name === '*')) {
          throw new ParamValueError(token.name, 'missing', 'no value');
        }
      }
    }
    return path;
  };
  // A group is left out when none of its parameters has a value, and kept when all have one.
  const buildGroup = (tokens: readonly PatternToken[]): string => {
    const names = paramNames(tokens);
    const given = names.filter(
      (name) => encodeParam({ type: 'param', name }, read(name), true) !== undefined,
    );
    return given.length === 0 && names.length > 0 ? '' : build(tokens);
  };
  const path = build(pattern.tokens);
  return path === '' ? '/' : path;
}

function paramNames(tokens: readonly PatternToken[]): string[] {
  return tokens.flatMap((token) =>
    token.type === 'group' ? paramNames(token.tokens) : token.type === 'text' ? [] : [token.name],
  );
}

/** The encoded text for a value, or `undefined` when there is none. */
function encodeParam(
  token: { readonly type: 'param' | 'wildcard'; readonly name: string },
  value: unknown,
  presenceOnly = false,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (presenceOnly) return '';
  if (token.type === 'wildcard') {
    const segments = (Array.isArray(value) ? value : typeof value === 'string' ? value.split('/') : [value])
      .map((segment: unknown) => scalar(token.name, segment))
      .filter((segment) => segment !== '');
    return segments.length === 0 ? undefined : segments.map(encodeURIComponent).join('/');
  }
  if (Array.isArray(value)) {
    throw new ParamValueError(token.name, 'invalid', 'an array (only a wildcard takes several segments)');
  }
  return encodeURIComponent(scalar(token.name, value));
}

function scalar(name: string, value: unknown): string {
  if (['string', 'number', 'bigint', 'boolean'].includes(typeof value)) return String(value);
  const text = value === null || value === undefined ? '' : String(value as object);
  if (text === '' || text.startsWith('[object ')) {
    throw new ParamValueError(name, 'invalid', `${typeof value} ${text || String(value)}`.trim());
  }
  return text;
}
