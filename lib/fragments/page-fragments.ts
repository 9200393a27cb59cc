import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { PAGE_FRAGMENT_METADATA } from '../cache-page.constants.js';
import { LOGGER_CONTEXT, RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import {
  duplicateFragmentMessage,
  fragmentFailedMessage,
  unknownFragmentMessage,
} from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { outsideCapture } from '../dependencies/render-capture.js';
import { isPromise, type MaybePromise } from '../utils/maybe-promise.js';
import { CSRF_TOKEN_FRAGMENT, csrfToken } from './csrf-token-fragment.js';
import { markersIssued } from './fragment-marker.js';
import type { FragmentSlot } from './fragment-template.js';
import { valueBytes } from './fragment-value.js';

/** Where one fragment's values come from. */
interface FragmentSource {
  /** `Class.method`, for messages. */
  readonly owner: string;
  readonly fallback: Buffer;
  call(request: unknown, response: unknown): unknown;
}

/** A failure of a fragment is logged at most this often. */
const LOG_EVERY_MS = 60_000;

const BUILT_IN: ReadonlyMap<string, FragmentSource> = new Map([
  [CSRF_TOKEN_FRAGMENT, { owner: 'built-in', fallback: Buffer.alloc(0), call: csrfToken }],
]);

/**
 * The app's `@PageFragment()` methods, found in its providers at startup, and the values they
 * give one response: each called once per response and name, outside the render's observation
 * (what it reads makes no page personal and no page depend on it), within `fragmentTimeout`;
 * a failure or a late answer gives the fragment's fallback and a log line, never an error.
 */
@Injectable()
export class PageFragments implements OnModuleInit {
  private readonly sources = new Map<string, FragmentSource>(BUILT_IN);
  private declared = 0;
  private readonly logged = new Map<string, number>();
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const owners = new Map<string, string[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined | null;
      if (!instance || typeof instance !== 'object' || wrapper.isTransient) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = instance[method];
        if (typeof handler !== 'function') continue;
        const meta = Reflect.getMetadata?.(PAGE_FRAGMENT_METADATA, handler) as
          { name: string; fallback: string } | undefined;
        if (!meta) continue;
        const owner = `${instance.constructor.name}.${method}`;
        owners.set(meta.name, [...(owners.get(meta.name) ?? []), owner]);
        this.sources.set(meta.name, {
          owner,
          fallback: Buffer.from(meta.fallback),
          call: (request, response) => handler.call(instance, request, response),
        });
      }
    }
    for (const [name, declaredBy] of owners) {
      if (declaredBy.length > 1) throw new Error(duplicateFragmentMessage(name, declaredBy));
    }
    this.declared = owners.size;
  }

  /**
   * Whether a response may hold markers: the app declared a fragment, or `pageFragment()` was
   * called in this process. Until then nothing is held or searched.
   */
  get inUse(): boolean {
    return this.declared > 0 || markersIssued();
  }

  /** The value of each slot for one response, in the order of `slots` (synchronous when every method is). */
  valuesFor(slots: readonly FragmentSlot[], request: unknown, response: unknown): MaybePromise<Buffer[]> {
    const byName = new Map<string, MaybePromise<Buffer>>();
    let pending = false;
    for (const [, name] of slots) {
      if (byName.has(name)) continue;
      const value = this.valueOf(name, request, response);
      pending ||= isPromise(value);
      byName.set(name, value);
    }
    const inOrder = slots.map(([, name]) => byName.get(name)!);
    return pending ? Promise.all(inOrder) : (inOrder as Buffer[]);
  }

  private valueOf(name: string, request: unknown, response: unknown): MaybePromise<Buffer> {
    const source = this.sources.get(name);
    if (!source) {
      this.logOnce(`unknown:${name}`, () => unknownFragmentMessage(name, this.declaredNames()));
      return EMPTY;
    }
    let result: unknown;
    try {
      result = outsideCapture(() => source.call(request, response));
    } catch (error) {
      return this.failed(name, source, `threw ${describe(error)}`);
    }
    if (!isPromise(result)) return this.bytesOf(name, source, result);
    return withDeadline(result, this.options.fragmentTimeout).then(
      (value) =>
        value === LATE
          ? this.failed(name, source, `took longer than fragmentTimeout (${this.options.fragmentTimeout} ms)`)
          : this.bytesOf(name, source, value),
      (error: unknown) => this.failed(name, source, `rejected with ${describe(error)}`),
    );
  }

  private bytesOf(name: string, source: FragmentSource, value: unknown): Buffer {
    return (
      valueBytes(value) ?? this.failed(name, source, `returned ${describe(value)}, not a string or { html }`)
    );
  }

  private failed(name: string, source: FragmentSource, problem: string): Buffer {
    this.logOnce(`failed:${name}`, () => fragmentFailedMessage(name, source.owner, problem));
    return source.fallback;
  }

  private logOnce(key: string, message: () => string): void {
    const now = Date.now();
    if (now - (this.logged.get(key) ?? -Infinity) < LOG_EVERY_MS) return;
    this.logged.set(key, now);
    this.logger.warn(message());
  }

  private declaredNames(): string[] {
    return [...this.sources.keys()].sort();
  }
}

const EMPTY = Buffer.alloc(0);
const LATE = Symbol('late');

/** `promise`'s value, or `LATE` if it has not settled within `ms`. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), ms);
    timer.unref?.();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 60));
  return typeof value === 'object' ? (value === null ? 'null' : 'an object') : String(value);
}
