/**
 * A request as express-session (`req.session.user`) and @fastify/session
 * (`request.session.get('user')`) give it to the sample, on either platform.
 */
export interface SessionRequest {
  readonly url?: string;
  readonly originalUrl?: string;
  session?: {
    user?: unknown;
    get?(key: string): unknown;
    set?(key: string, value: unknown): void;
    regenerate(callback: (error?: unknown) => void): void;
    destroy(callback: (error?: unknown) => void): void;
  };
}

/** The signed-in reader's name, or `undefined` for a guest. */
export function userOf(request: SessionRequest): string | undefined {
  const session = request.session;
  const user = session?.get ? session.get('user') : session?.user;
  return typeof user === 'string' && user !== '' ? user : undefined;
}

/** Signs the reader in as `name`, in a new session (a session id from before the sign-in is not kept). */
export async function signIn(request: SessionRequest, name: string): Promise<void> {
  await settle(request, 'regenerate');
  const session = request.session!;
  if (session.set) session.set('user', name);
  else session.user = name;
}

/** Ends the reader's session. */
export async function signOut(request: SessionRequest): Promise<void> {
  if (request.session) await settle(request, 'destroy');
}

/** The path the request asked for (`/posts/x?y`), as the visitor's browser sent it. */
export function requestedPath(request: SessionRequest): string {
  return request.originalUrl ?? request.url ?? '/';
}

/** `regenerate()` or `destroy()`, by the callback both session libraries take. */
function settle(request: SessionRequest, method: 'regenerate' | 'destroy'): Promise<void> {
  const session = request.session;
  if (!session) return Promise.reject(new Error('No session: the session middleware is not installed'));
  return new Promise((resolve, reject) => {
    session[method]((error?: unknown) => (error ? reject(error) : resolve()));
  });
}
