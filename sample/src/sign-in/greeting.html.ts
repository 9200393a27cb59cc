import { escapeHtml } from '../common/html.js';

/** Where the sign-out form posts. */
export const SIGN_OUT_PATH = '/logout';

/**
 * The header's greeting: "Hi, <name> · Sign out" (a form posting to `/logout`) for a signed-in
 * reader, a "Sign in" link for a guest; both bring the reader back to `here` afterwards.
 */
export function greetingHtml(user: string | undefined, here: string, signInPath: string): string {
  const back = escapeHtml(here);
  if (user === undefined) {
    const link = here.startsWith(signInPath) ? signInPath : `${signInPath}?next=${encodeURIComponent(here)}`;
    return `<a class="sign-in" href="${escapeHtml(link)}">Sign in</a>`;
  }
  return (
    `<form class="greeting" method="post" action="${SIGN_OUT_PATH}">Hi, <strong>${escapeHtml(user)}</strong> · ` +
    `<input type="hidden" name="next" value="${back}"><button type="submit">Sign out</button></form>`
  );
}

/** `next` if it is a path of this site (`/…`, not `//host`), else the home page. */
export function safeNext(next: unknown, home: string): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : home;
}
