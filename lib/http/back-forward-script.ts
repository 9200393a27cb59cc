/**
 * The script `reloadOnBack` adds to cached HTML pages. When the browser shows the page again
 * without asking the server (Back/Forward from its back/forward cache, or from its disk cache),
 * it asks whether the page it shows is still current (a `GET` with `If-None-Match`: the page's
 * entity tag), and reloads it when the answer is not `304`. A hit answers from the cache, so
 * checking costs the server next to nothing; after a change, the check's miss renders and stores
 * the new page, which the reload then gets from the cache.
 */
const SCRIPT = [
  '(function(){',
  "var s=document.currentScript,t=s&&s.getAttribute('data-cache-page-etag');if(!t)return;",
  "function check(){fetch(location.href,{headers:{'If-None-Match':t},cache:'no-store',credentials:'same-origin'})",
  '.then(function(r){if(r.status!==304)location.reload()},function(){})}',
  "addEventListener('pageshow',function(e){var n=performance.getEntriesByType&&performance.getEntriesByType('navigation')[0];",
  "if(e.persisted||(n&&n.type==='back_forward'))check()})",
  '})()',
].join('');

const HEAD_END = /<\/head\s*>/i;

/** The HTML body with the Back/Forward check of a page whose entity tag is `etag`. */
export function withBackForwardCheck(html: Buffer, etag: string): Buffer {
  const tag = Buffer.from(`<script data-cache-page-etag="${escapeAttribute(etag)}">${SCRIPT}</script>`);
  const text = html.toString('latin1');
  const at = text.search(HEAD_END);
  if (at === -1) return Buffer.concat([html, tag]);
  return Buffer.concat([html.subarray(0, at), tag, html.subarray(at)]);
}

/** Whether a response of this content type is an HTML page the check can go into. */
export const isHtml = (contentType: string): boolean => /^\s*text\/html\b/i.test(contentType);

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
