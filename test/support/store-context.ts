import type { PageBackend } from '../../lib/store/backends/page-backend.js';
import { newEpochToken } from '../../lib/store/epoch-token.js';
import { digestOf, type PageBody } from '../../lib/store/page-body.js';
import { globalEpochKey, pageKey, type PageKey } from '../../lib/store/page-key.js';
import { requestPagePath } from '../../lib/store/page-path.js';
import { PathMapping } from '../../lib/store/path-mapping.js';
import { attemptStoreCall } from '../../lib/store/store-call.js';
import type { StoreContext } from '../../lib/store/store-context.js';
import { ThrottledLogger } from '../../lib/utils/throttled-logger.js';

export const PREFIX = 'p:';

/** The context the store's parts share, over a real backend, as `PageStore` builds it. */
export function storeContext(backend: PageBackend, reclaimAfterMs = 60_000): StoreContext {
  const log = new ThrottledLogger();
  return {
    backend,
    settings: {
      keyPrefix: PREFIX,
      storeTimeoutMs: 200,
      reclaimAfterMs,
      maxBodyBytes: 1 << 20,
      paths: new PathMapping(),
    },
    globalKey: globalEpochKey(PREFIX),
    shared: backend.scope === 'shared',
    writer: newEpochToken(),
    log,
    attempt: (operation, call) => attemptStoreCall(log, undefined, operation, call),
  };
}

/** The key of a path without a query string. */
export const keyOf = (path: string): PageKey =>
  pageKey(PREFIX, { origin: '', path, query: '', pagePath: requestPagePath(path) });

/** A body with its digest. */
export const bodyOf = (text: string): PageBody => {
  const bytes = Buffer.from(text);
  return { digest: digestOf(bytes), bytes };
};
