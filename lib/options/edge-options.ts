import { invalidOptionMessage } from '../cache-page.messages.js';
import type { EdgePurger } from '../edge/edge-purger.js';
import type { CachePageModuleOptions } from '../interfaces/cache-page-module-options.interface.js';
import { EDGE_DEFAULTS } from './defaults.js';
import { resolveBoolean, resolveMilliseconds } from './option-values.js';

/** `edge` after defaults and validation. */
export interface ResolvedEdgeOptions {
  readonly purgers: readonly EdgePurger[];
  /** ms */
  readonly ttl: number;
  readonly waitForPurge: boolean;
  /** ms */
  readonly purgeTimeout: number;
  /** ms, `0` = never */
  readonly repurgeAfter: number;
}

const FIELDS = new Set(['purgers', 'ttl', 'waitForPurge', 'purgeTimeout', 'repurgeAfter']);

/** The edge group: which edge caches are kept in step with the store (`undefined`: none). */
export function resolveEdgeOptions(options: CachePageModuleOptions): {
  edge: ResolvedEdgeOptions | undefined;
} {
  const edge: unknown = options.edge;
  if (edge === undefined) return { edge: undefined };
  if (typeof edge !== 'object' || edge === null || Array.isArray(edge)) {
    throw new TypeError(
      invalidOptionMessage(
        'edge',
        edge,
        'must be an object such as { purgers: [new VarnishPurger({ url })] }',
      ),
    );
  }
  const fields = edge as Record<string, unknown>;
  const unknown = Object.keys(fields).find((field) => !FIELDS.has(field));
  if (unknown !== undefined) {
    throw new TypeError(
      invalidOptionMessage(
        `edge.${unknown}`,
        fields[unknown],
        `is not an edge option (known: ${[...FIELDS].join(', ')})`,
      ),
    );
  }
  return {
    edge: {
      purgers: resolvePurgers(fields.purgers),
      ttl: resolveMilliseconds('edge.ttl', fields.ttl, EDGE_DEFAULTS.ttl, '>= 1000', 1_000),
      waitForPurge: resolveBoolean('edge.waitForPurge', fields.waitForPurge, EDGE_DEFAULTS.waitForPurge),
      purgeTimeout: resolveMilliseconds(
        'edge.purgeTimeout',
        fields.purgeTimeout,
        EDGE_DEFAULTS.purgeTimeout,
        '> 0',
        1,
      ),
      repurgeAfter: resolveMilliseconds(
        'edge.repurgeAfter',
        fields.repurgeAfter,
        EDGE_DEFAULTS.repurgeAfter,
        '>= 0',
      ),
    },
  };
}

function resolvePurgers(value: unknown): EdgePurger[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      invalidOptionMessage(
        'edge.purgers',
        value,
        'must be a non-empty array of purgers (new VarnishPurger({ url }), new FastlyPurger(…), new CloudflarePurger(…))',
      ),
    );
  }
  value.forEach((purger, index) => {
    if (!isPurger(purger)) {
      throw new TypeError(
        invalidOptionMessage(
          `edge.purgers[${index}]`,
          purger,
          'must be an EdgePurger (name, keyHeader, keySeparator, maxKeyHeaderBytes, lifetimeHeader and purge())',
        ),
      );
    }
  });
  return [...(value as EdgePurger[])];
}

function isPurger(value: unknown): value is EdgePurger {
  const purger = value as Partial<EdgePurger> | null;
  return (
    typeof purger === 'object' &&
    purger !== null &&
    typeof purger.purge === 'function' &&
    typeof purger.name === 'string' &&
    typeof purger.keyHeader === 'string' &&
    /^[A-Za-z0-9-]+$/.test(purger.keyHeader) &&
    (purger.keySeparator === ' ' || purger.keySeparator === ',') &&
    typeof purger.maxKeyHeaderBytes === 'number' &&
    purger.maxKeyHeaderBytes > 0 &&
    typeof purger.lifetimeHeader === 'string' &&
    /^[A-Za-z0-9-]+$/.test(purger.lifetimeHeader)
  );
}
