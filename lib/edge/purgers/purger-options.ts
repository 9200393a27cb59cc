import { describeSecret, edgePurgerOptionMessage, showValue } from '../../cache-page.messages.js';

/** Reads a provider's ID option (`serviceId`, `zoneId`): a non-empty string that fits in a URL path. */
export function readId(purger: string, option: string, value: unknown, fix: string): string {
  if (typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value)) return value;
  const expected =
    typeof value === 'string' && value.includes('.')
      ? 'must be an ID, not a domain name'
      : 'must be a non-empty string of letters, digits, "-" and "_"';
  throw new Error(edgePurgerOptionMessage(purger, option, showValue(value), expected, fix));
}

/** Reads an API token: a non-empty string that can be sent in a header. Its value is never shown. */
export function readToken(purger: string, value: unknown, fix: string): string {
  if (typeof value === 'string' && /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value)) return value;
  throw new Error(
    edgePurgerOptionMessage(
      purger,
      'token',
      describeSecret(value),
      'must be a non-empty string of printable characters with no surrounding whitespace',
      fix,
    ),
  );
}

/** Reads `apiUrl`: an absolute http(s) URL without credentials, query or fragment; returned without a trailing "/". */
export function readApiUrl(purger: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const problem =
    url === undefined
      ? 'must be an absolute URL'
      : url.protocol !== 'http:' && url.protocol !== 'https:'
        ? 'must be an http: or https: URL'
        : url.username !== '' || url.password !== ''
          ? 'must not carry credentials (the token is sent in a header)'
          : url.search !== '' || url.hash !== ''
            ? 'must have no query or fragment'
            : undefined;
  if (problem === undefined) return url!.href.replace(/\/+$/, '');
  const shown =
    url !== undefined && (url.username !== '' || url.password !== '')
      ? redactCredentials(url)
      : showValue(value);
  throw new Error(
    edgePurgerOptionMessage(
      purger,
      'apiUrl',
      shown,
      problem,
      `Leave it out to use ${fallback}, or give the address of a proxy or test server, e.g. 'http://127.0.0.1:8080'.`,
    ),
  );
}

function redactCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '***';
  copy.password = '';
  return showValue(copy.href);
}
