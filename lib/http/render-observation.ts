import type { IncomingHttpHeaders } from 'node:http';
import {
  CREDENTIAL_COOKIE,
  CREDENTIAL_HEADER,
  PERSONAL_REQUEST_PROPERTIES,
  PERSONAL_RESPONSE_PROPERTIES,
  UNOBSERVED_HEADERS,
} from './request-reads.js';

/** What a render read from its request, besides what the page key already holds. */
export interface ObservedReads {
  /**
   * The inputs that carry the visitor's identity it read: `cookie` for the session, the user, a
   * CSRF token, every cookie or an identity cookie; a header's name for a credential header.
   */
  readonly personal: ReadonlySet<string>;
  /** Request headers it read (lower-case), other than those the cache keys or handles itself. */
  readonly headers: ReadonlySet<string>;
  /** Cookies it read by name. */
  readonly cookies: ReadonlySet<string>;
}

interface Restorable {
  restore(): void;
}

/**
 * Watches what a render reads from its request, from the moment the cache lets the handler run
 * until the handler has produced its result: a Proxy over the headers and the parsed cookies,
 * and getters over the properties that hold per-visitor state. `stop()` puts everything back.
 * Template engines run after that, on what the handler returned, plus `res.locals`, which the
 * caller checks itself.
 */
export class RenderObservation {
  private readonly headers = new Set<string>();
  private readonly cookies = new Set<string>();
  private readonly personal = new Set<string>();
  private watching = true;
  private readonly undo: Restorable[] = [];

  constructor(request: object, response: object) {
    const raw = (request as { raw?: object }).raw;
    const carriers = raw && raw !== request ? [request, raw] : [request];
    const headerOwner = (raw ?? request) as { headers?: IncomingHttpHeaders };
    if (headerOwner.headers) this.replace(headerOwner, 'headers', this.watchHeaders(headerOwner.headers));
    for (const carrier of carriers) {
      for (const name of ['cookies', 'signedCookies']) {
        const cookies = (carrier as Record<string, unknown>)[name];
        if (cookies && typeof cookies === 'object') this.replace(carrier, name, this.watchCookies(cookies));
      }
      for (const name of PERSONAL_REQUEST_PROPERTIES) this.watchPersonal(carrier, name);
    }
    for (const name of PERSONAL_RESPONSE_PROPERTIES) this.watchPersonal(response, name);
  }

  /** Runs `call` without recording what it reads (the platform writing the response out). */
  untracked<T>(call: () => T): T {
    if (!this.watching) return call();
    this.watching = false;
    try {
      return call();
    } finally {
      this.watching = true;
    }
  }

  /** Stops watching, restores the request, and tells what the render read. */
  stop(): ObservedReads {
    if (this.watching) {
      this.watching = false;
      for (const change of this.undo.reverse()) change.restore();
    }
    return { personal: this.personal, headers: this.headers, cookies: this.cookies };
  }

  private watchHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    const seen = (name: string) => {
      if (!this.watching) return;
      const header = name.toLowerCase();
      if (UNOBSERVED_HEADERS.has(header)) return;
      if (CREDENTIAL_HEADER.test(header)) this.personal.add(header);
      else this.headers.add(header);
    };
    return new Proxy(headers, {
      get: (target, key, receiver) => {
        if (typeof key === 'string') seen(key);
        return Reflect.get(target, key, receiver);
      },
      has: (target, key) => {
        if (typeof key === 'string') seen(key);
        return Reflect.has(target, key);
      },
      ownKeys: (target) => {
        // Enumerating every header (copying them, logging them) reads the cookie header too.
        if (this.watching) this.personal.add('cookie');
        return Reflect.ownKeys(target);
      },
    });
  }

  private watchCookies(cookies: object): object {
    return new Proxy(cookies, {
      get: (target, key, receiver) => {
        if (typeof key === 'string' && this.watching) {
          if (CREDENTIAL_COOKIE.test(key)) this.personal.add('cookie');
          else this.cookies.add(key);
        }
        return Reflect.get(target, key, receiver);
      },
      ownKeys: (target) => {
        if (this.watching) this.personal.add('cookie');
        return Reflect.ownKeys(target);
      },
    });
  }

  /** Replaces `owner[name]` for the time of the render. */
  private replace(owner: object, name: string, value: unknown): void {
    const own = Object.getOwnPropertyDescriptor(owner, name);
    if (own && !own.configurable) return;
    Object.defineProperty(owner, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: own?.enumerable ?? true,
    });
    this.undo.push({
      restore: () => {
        if (own) Object.defineProperty(owner, name, own);
        else delete (owner as Record<string, unknown>)[name];
      },
    });
  }

  /**
   * Any read of `owner[name]` while watching marks the render personal: own, inherited, or not
   * there at all (passport leaves `req.user` unset for a visitor who is not logged in, and the
   * page that read it is as personal as the one that found a user).
   */
  private watchPersonal(owner: object, name: string): void {
    const present = name in owner;
    const own = Object.getOwnPropertyDescriptor(owner, name);
    if (own && !own.configurable) return;
    let value: unknown = (owner as Record<string, unknown>)[name];
    Object.defineProperty(owner, name, {
      configurable: true,
      enumerable: own?.enumerable ?? false,
      get: () => {
        if (this.watching) this.personal.add('cookie');
        return own?.get ? own.get.call(owner) : value;
      },
      set: (next: unknown) => {
        if (own?.set) own.set.call(owner, next);
        else value = next;
        assigned = true;
      },
    });
    let assigned = false;
    this.undo.push({
      restore: () => {
        if (own) return Object.defineProperty(owner, name, own.get || own.set ? own : { ...own, value });
        delete (owner as Record<string, unknown>)[name];
        if (assigned || (!present && value !== undefined)) (owner as Record<string, unknown>)[name] = value;
      },
    });
  }
}
