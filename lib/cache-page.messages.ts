/** Every text the module throws or logs, so they stay consistent and name the fix. */
const MODULE = 'CachePageModule';

export const invalidOptionMessage = (option: string, value: unknown, expected: string): string =>
  `${MODULE}: option "${option}" ${expected} (got ${showValue(value)}). ` +
  `Fix it in CachePageModule.forRoot({ ${option}: … }) or in your forRootAsync() factory.`;

export const invalidRouteOptionMessage = (option: string, value: unknown, expected: string): string =>
  `${MODULE}: @CachePage(): "${option}" ${expected} (got ${showValue(value)}). Fix the decorator's options.`;

export const invalidIgnorePathMessage = (value: unknown, reason: string): string =>
  `${MODULE}: "ignorePaths" entry ${showValue(value)} is not valid (${reason}). ` +
  `A string names a path and everything under it ('/account'); a RegExp is matched as it is.`;

export const ignorePathWithoutItselfMessage = (pattern: RegExp, path: string): string =>
  `${MODULE}: "ignorePaths" entry ${String(pattern)} matches "${path}/…" but not "${path}" itself, ` +
  `so "${path}" is cached. Write '${path}' (a string: the path and everything under it) or ` +
  `${String(pattern).replace(/\\\/\/$/, '(?:\\/|$)/')} if "${path}" should not be cached either.`;

export const invalidCacheMessage = (missing: string[]): string =>
  `${MODULE}: option "cache" is not a cache-manager Cache (missing ${missing.join(', ')}). ` +
  `Pass the Cache returned by createCache() from 'cache-manager', or inject CACHE_MANAGER.`;

export const invalidInvalidationPathMessage = (value: unknown): string =>
  `${MODULE}: cannot invalidate ${showValue(value)}: a page path must be a string starting with "/" ` +
  `(an absolute URL is reduced to its path).`;

export const storeCallFailedMessage = (operation: string, consequence: string, suppressed: number): string =>
  `${MODULE}: the page store failed to ${operation}; ${consequence}` +
  (suppressed > 0 ? ` (${suppressed} similar errors suppressed)` : '') +
  '.';

export const storeDownMessage = (reason: string, probeIntervalMs: number): string =>
  `${MODULE}: the page store stopped answering (${reason}). Pages are served uncached, and ` +
  `invalidations are held in this process (which serves none of their pages from the cache) ` +
  `until it answers again; checking every ${probeIntervalMs} ms.`;

export const storeBackMessage = (downForMs: number, held: number, graceMs: number): string =>
  `${MODULE}: the page store answers again after ${(downForMs / 1000).toFixed(1)} s` +
  (held > 0 ? `; retrying ${held} held invalidation(s) now` : '') +
  `; pages are served from the cache again in ${graceMs} ms, once other instances' held ` +
  `invalidations have landed.`;

export const invalidationHeldMessage = (count: number, retryInMs: number | undefined): string =>
  `${MODULE}: invalidating ${count} page epoch(s) failed; this process serves none of those ` +
  `pages from the cache until a retry succeeds (` +
  (retryInMs === undefined ? 'as soon as the store answers again' : `next in ${retryInMs} ms`) +
  ').';

export const invalidationRecoveredMessage = (count: number): string =>
  `${MODULE}: a retried invalidation of ${count} page epoch(s) succeeded; the cache serves those pages again.`;

export const leaseFailedMessage = (count: number): string =>
  `${MODULE}: could not lease ${count} page epoch(s) before a commit (the store did not answer); ` +
  `they are invalidated after the commit as usual, but if this process died in between, other ` +
  `instances could serve those pages until they are next invalidated.`;

export const storeRestoredMessage = (previousRunId: string, runId: string): string =>
  `${MODULE}: the page store's data was written under another Redis server run ` +
  `(${previousRunId}, now ${runId}): a restart, a restored snapshot or a fail-over may have lost ` +
  `invalidations, so every page is invalidated once.`;

export const invalidationBatchTooLargeMessage = (count: number, max: number): string =>
  `${MODULE}: an invalidation named ${count} page epochs (more than ${max}); every page is ` +
  `invalidated instead, with one write.`;

export const notAClassMessage = (value: unknown): string =>
  `${MODULE}: @DependentPaths() decorates entity classes, not ${showValue(value)}. ` +
  `Put it on the class declaration: @DependentPaths() class Post { dependentPaths() { … } }.`;

export const missingDependentPathsMessage = (className: string): string =>
  `${MODULE}: @DependentPaths() is on class ${className || '(anonymous)'}, but it has no dependentPaths() method. ` +
  `Add one that returns the paths of the pages showing an instance, e.g. ` +
  `dependentPaths() { return ['/', \`/posts/\${this.slug}\`]; }, or remove the decorator.`;

export const badDependentPathsMessage = (entity: string, problem: string): string =>
  `${MODULE}: ${entity}.dependentPaths() ${problem}, so every page is invalidated instead. ` +
  `Return page paths starting with "/" (an array, Set or generator of strings, or a promise of one).`;

export const dependentPathsTimeoutMessage = (entity: string, timeoutMs: number): string =>
  `${MODULE}: ${entity}.dependentPaths() did not settle within ${timeoutMs} ms, so every page is ` +
  `invalidated instead and the write goes on. Return the paths without waiting on slow work, or ` +
  `raise "dependentPathsTimeout".`;

export const unloadedReadMessage = (entity: string, property: string, suppressed: number): string =>
  `${MODULE}: ${entity}.dependentPaths() read "${property}", which MikroORM had not loaded (a reference ` +
  `knows only its primary key), so every page is invalidated instead. Build related paths from ` +
  `primary keys, or load the entity (populate) before flushing.` +
  (suppressed > 0
    ? ` This happened ${suppressed} more time(s) since this warning was last shown; stats() counts every one.`
    : '');

export const ormCoreMissingMessage = (reason: string): string =>
  `${MODULE}: ${reason}, but '@mikro-orm/core' cannot be loaded, so entity changes could not invalidate ` +
  `pages. Install it next to your driver: npm install @mikro-orm/core.`;

export const entityInvalidationFailedMessage = (hook: string): string =>
  `${MODULE}: entity-driven invalidation failed in ${hook}; every page is invalidated instead ` +
  `(the flush or commit itself is not affected).`;

export const invalidatedAfterCommitMessage = (
  entity: string,
  trigger: string,
  paths: readonly string[],
): string => `${MODULE}: ${entity} ${trigger} → ${paths.length > 0 ? paths.join(', ') : 'no paths'}`;

export const invalidatedAllMessage = (entity: string, trigger: string, reason: string): string =>
  `${MODULE}: ${entity} ${trigger} → every page (${reason})`;

export const pathMappingMessage = ({
  globalPrefix,
  versions,
  modulePrefixes,
}: {
  readonly globalPrefix?: string;
  readonly versions: readonly string[];
  readonly modulePrefixes: readonly string[];
}): string =>
  `${MODULE}: page paths are matched without ` +
  [
    globalPrefix && `the global prefix ${globalPrefix}`,
    versions.length > 0 && `the version segment (${versions.join(', ')})`,
    modulePrefixes.length > 0 && `the RouterModule path (${modulePrefixes.join(', ')})`,
  ]
    .filter(Boolean)
    .join(', then ') +
  `, so invalidate('/posts/hello') and dependentPaths() reach ` +
  `${[globalPrefix, versions[0] && `/${versions[0]}`, modulePrefixes[0]].filter(Boolean).join('')}/posts/hello too.`;

export const fastPathOnMessage = (
  mode: 'auto' | true,
  middleware: {
    safe: readonly string[];
    conditional: readonly string[];
    unknown: readonly string[];
    counted: boolean;
  },
): string =>
  `${MODULE}: fastPath ${mode === 'auto' ? "'auto'" : 'true'}: hits of pages whose render ran only ` +
  `middleware that is safe to skip are answered before the framework, as a proxy in front of the app ` +
  `would (request loggers do not see them: CachePageService.onFastHit() does).` +
  (middleware.safe.length > 0 ? ` Skipped on fast hits: ${middleware.safe.join(', ')}.` : '') +
  (middleware.conditional.length > 0
    ? mode === 'auto'
      ? ` Skipped only for requests without cookies: ${middleware.conditional.join(', ')}.`
      : ` Skipped also for requests with cookies (fastPath: true): ${middleware.conditional.join(', ')}.`
    : '') +
  (middleware.unknown.length > 0
    ? ` Not known, so routes behind them stay on the interceptor path: ${middleware.unknown.join(', ')} ` +
      `(name one in skippableMiddleware if it is safe to skip).`
    : '') +
  (middleware.counted
    ? ` Middleware bound with MiddlewareConsumer (or app.use() on Fastify) is skipped only where each ` +
      `that ran is MikroORM's request context or a class named in skippableMiddleware.`
    : '');

export const fastPathKeptOffMessage = (route: string, blockers: readonly string[]): string =>
  `${MODULE}: ${route} stays on the interceptor path: ${blockers.join(', ')} ran before it, and the ` +
  `fast path never skips middleware it does not know. If it is safe to skip for a cached GET (it never ` +
  `refuses or redirects), name it in CachePageModule.forRoot({ skippableMiddleware: [...] }).`;

export const fastPathStackChangedMessage = (added: readonly string[]): string =>
  `${MODULE}: middleware was added after startup (${added.join(', ') || 'unnamed'}): the fast path is ` +
  `off from now on, and every hit goes through the framework and its middleware.`;

export const fastPathOffMessage = (overridden: readonly string[]): string =>
  `${MODULE}: fastPath stays off: the interceptor given as "interceptor" overrides ` +
  `${overridden.join(' and ')}, whose decisions a hit before the framework cannot make.`;

export const watchingOrmsMessage = (count: number): string =>
  `${MODULE}: watching ${count} MikroORM instance(s) for entity changes.`;

export const routesNotReadyMessage = (call: string): string =>
  `${MODULE}: ${call} was called before an app with CachePageModule initialised: routes are read ` +
  `during app.init() (or app.listen()). Call it where it runs later (dependentPaths(), a handler, a ` +
  `template); at module scope, declare pageRoute(() => Controller, 'method') and call its path().`;

export const unknownControllerMessage = (route: string, controller: string): string =>
  `${MODULE}: no route ${route}: ${controller} is not a controller of any initialised app with ` +
  `CachePageModule. List it in a module's controllers, or check the class passed.`;

export const unknownRouteMessage = (route: string, controller: string, routes: readonly string[]): string =>
  `${MODULE}: no route ${route}: ${controller} has no route handler by that name ` +
  `(its GET routes: ${routes.length > 0 ? routes.join(', ') : 'none'}). Was it renamed?`;

export const notGetRouteMessage = (route: string): string =>
  `${MODULE}: ${route} is not a GET route: only GET pages are cached, so it has no page path.`;

export const missingRouteParamMessage = (route: string, param: string, call: string): string =>
  `${MODULE}: missing parameter "${param}" for ${route}. Pass it: ${call}, or an object (an ` +
  `entity) with a "${param}" property.`;

export const unknownRouteParamMessage = (
  route: string,
  unknown: readonly string[],
  known: readonly string[],
): string =>
  `${MODULE}: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} ` +
  `for ${route} (its parameters: ${known.length > 0 ? known.join(', ') : 'none'}). A plain object ` +
  `may name only the route's parameters; an entity's other properties are ignored.`;

export const invalidRouteParamMessage = (route: string, param: string, detail: string): string =>
  `${MODULE}: parameter "${param}" for ${route} cannot stand in a path (got ${detail}): pass a ` +
  `string or a number (a wildcard also takes an array of segments).`;

export const unsupportedRoutePatternMessage = (route: string, reason: string): string =>
  `${MODULE}: cannot build a path for ${route}: ${reason}. Use plain parameters (:id, {/:id}, ` +
  `*path, or :id? and * on Fastify) and check their values in a pipe.`;

export const pageRouteTargetMessage = (method: string, value: unknown): string =>
  `${MODULE}: pageRoute(() => …, '${method}'): the function gave ${showValue(
    value instanceof Error ? value.message : value,
  )}, not a controller class.`;

export const pageRoutesFailedMessage = (problems: readonly string[]): string =>
  `${MODULE}: ${problems.length} pageRoute() handle(s) name no GET route of this app:\n` +
  problems.map((problem) => `  - ${problem}`).join('\n');

/** Renders a user-supplied value for an error text, briefly and without throwing. */
export function showValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (value === null || value === undefined) return String(value);
  try {
    const json = JSON.stringify(value);
    return json === undefined ? typeof value : json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    return typeof value;
  }
}

export const fastHitListenerFailedMessage = (error: unknown): string =>
  `${MODULE}: a listener given to CachePageService.onFastHit() threw (${showValue(
    error instanceof Error ? error.message : error,
  )}); the hit was answered all the same.`;

export const invalidationListenerFailedMessage = (error: unknown): string =>
  `${MODULE}: a listener given to CachePageService.onInvalidation() threw (${showValue(
    error instanceof Error ? error.message : error,
  )}); the pages were invalidated all the same.`;

export const explainWithoutOrmMessage = (watched: number, given: boolean): string =>
  given
    ? `${MODULE}: explain() was given a MikroORM instance the module does not watch (it watches ${watched}). Pass one of the app's MikroORM providers, or include it in the "orm" option.`
    : `${MODULE}: explain() needs MikroORM, and the module watches no MikroORM instance. Import MikroOrmModule (or pass "orm" to CachePageModule.forRoot()) before calling it.`;

export const routeInvalidatedOftenMessage = (route: string, invalidations: number, hits: number): string =>
  `${MODULE}: the pages of ${route} were invalidated ${invalidations} times and served from the cache ${hits} times ` +
  `since startup: they are thrown away before they are read, so caching them costs a render and a store write each ` +
  `time. If writes outnumber reads there, mark the route @NoCachePage(); otherwise check which writes invalidate ` +
  `it (CachePageService.explain(), onInvalidation()).`;

export const invalidFragmentNameMessage = (call: string, name: unknown): string =>
  `${MODULE}: ${call}(${showValue(name)}): a fragment name is 1 to 64 letters, digits, "_", "." or "-" ` +
  `(e.g. 'greeting'). Fix the name.`;

export const invalidFragmentFallbackMessage = (name: string, fallback: unknown): string =>
  `${MODULE}: @PageFragment('${name}'): "fallback" must be a string (got ${showValue(fallback)}). ` +
  `Fix the decorator's options.`;

export const duplicateFragmentMessage = (name: string, owners: readonly string[]): string =>
  `${MODULE}: @PageFragment('${name}') is declared by ${owners.join(' and ')}; a fragment name ` +
  `names one method. Rename one of them.`;

export const unknownFragmentMessage = (name: string, declared: readonly string[]): string =>
  `${MODULE}: a page has pageFragment('${name}') but no @PageFragment('${name}') method exists ` +
  `(declared: ${declared.length > 0 ? declared.join(', ') : 'none'}); its place stays empty. ` +
  `Add the method to a provider, or fix the name.`;

export const fragmentFailedMessage = (name: string, owner: string, problem: string): string =>
  `${MODULE}: @PageFragment('${name}') ${owner} ${problem}; the page was sent with its fallback ` +
  `in that place (further failures of it are logged at most once a minute).`;

export const surrogateKeysTooLongMessage = (
  edge: string,
  count: number,
  bytes: number,
  limit: number,
): string =>
  `${MODULE}: a page's ${count} surrogate keys take ${bytes} bytes, more than ${edge} reads from one ` +
  `header (${limit}); such pages are sent to it without an edge lifetime (never with keys dropped), so ` +
  `the edge does not keep them. Pages with fewer dependencies (dependencies: 'auto' reads fewer rows) fit.`;

export const edgePurgeRetryMessage = (
  edge: string,
  keys: number,
  retryInMs: number,
  suppressed: number,
): string =>
  `${MODULE}: purging ${keys} surrogate key(s) at ${edge} failed; retrying in ${retryInMs} ms ` +
  `(the edge may serve those pages until it is purged; the store never does)` +
  (suppressed > 0 ? ` [${suppressed} similar failures not logged]` : '') +
  `. Check that the edge is reachable and accepts the purge (see the error below).`;

export const edgePurgeRecoveredMessage = (edge: string): string =>
  `${MODULE}: purges at ${edge} succeed again.`;

export const edgePurgeGaveUpMessage = (edge: string, keys: number, afterMs: number): string =>
  `${MODULE}: ${keys} surrogate key(s) could not be purged at ${edge} for ${Math.round(afterMs / 60_000)} min; ` +
  `purging every page there instead.`;

export const edgePurgeSlowMessage = (timeoutMs: number, suppressed: number): string =>
  `${MODULE}: an edge did not acknowledge a purge within edge.purgeTimeout (${timeoutMs} ms); the write ` +
  `went on and the purge is retried` +
  (suppressed > 0 ? ` [${suppressed} similar not logged]` : '') +
  `. If the edge is far away (a CDN's API), turn edge.waitForPurge off or raise edge.purgeTimeout.`;
/** Describes a secret option's value for an error text without ever showing it. */
export function describeSecret(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  if (value === '') return 'an empty string';
  if (value.trim() !== value) return 'a string with leading or trailing whitespace';
  return 'a string with a character not allowed in an HTTP header';
}

export const edgePurgerOptionMessage = (
  purger: string,
  option: string,
  got: string,
  expected: string,
  fix: string,
): string => `${MODULE}: new ${purger}(): option "${option}" ${expected} (got ${got}). ${fix}`;

export const edgePurgeFailedMessage = (
  name: string,
  problem: string,
  remaining: number,
  total: number,
): string =>
  `${MODULE}: purging ${total} surrogate key(s) at ${name} failed: ${problem} ` +
  `${remaining} of ${total} key(s) are not purged yet` +
  (remaining < total ? ` (${total - remaining} were)` : '') +
  '.';
// Edge purging: Varnish.

export const invalidVarnishUrlMessage = (value: unknown): string =>
  `${MODULE}: new VarnishPurger({ url }) needs Varnish's HTTP address, an http:// or https:// URL ` +
  `such as 'http://127.0.0.1:6081' (got ${showValue(value)}). Fix the url given to new VarnishPurger().`;

export const invalidVarnishModeMessage = (value: unknown): string =>
  `${MODULE}: new VarnishPurger({ mode }) is 'xkey' (PURGE requests, needs the xkey vmod) or 'ban' ` +
  `(BAN requests) (got ${showValue(value)}). Fix the mode given to new VarnishPurger(), or leave it out for 'xkey'.`;

export const varnishPurgeRefusedMessage = (
  varnish: string,
  method: string,
  status: string,
  remaining: number,
): string =>
  `${MODULE}: ${varnish} answered ${method} with ${status}; ${remaining} surrogate key(s) left to purge. ` +
  (status.startsWith('403')
    ? `Allow this app's address to purge: add it to the acl cache_page_purgers in cache-page.vcl, or ` +
      `call cache_page_purge for it in your vcl_recv (see that file's header comment).`
    : `Check that Varnish's VCL ends with include "cache-page.vcl"; (nestjs-cache-page's varnish/ ` +
      `directory), which answers ${method} requests, and that the url points at Varnish itself.`);

export const varnishUnreachableMessage = (
  varnish: string,
  method: string,
  reason: string,
  remaining: number,
): string =>
  `${MODULE}: ${varnish} did not answer ${method} (${reason}); ${remaining} surrogate key(s) left to ` +
  `purge. Check that Varnish is running and listening there, or fix the url given to new VarnishPurger().`;

export const clusterKeyPrefixMessage = (keyPrefix: string): string =>
  `${MODULE}: option "keyPrefix" ${JSON.stringify(keyPrefix)} contains "{" or "}", which a Redis Cluster ` +
  `reads as a hash tag: the keys of one page would land in other slots than the store puts them in. ` +
  `Use a prefix without braces (e.g. "cache-page:"); the store adds its own hash tags ({b0}…).`;

export const staleIfErrorMessage = (route: string, suppressed: number): string =>
  `${MODULE}: ${route} failed to render its page; the page from before its last change was served instead ` +
  `(staleIfError). Its render is tried again on the next request.` +
  (suppressed > 0 ? ` (${suppressed} similar errors suppressed)` : '');

export const warmUpNotListeningMessage = (): string =>
  `${MODULE}: warm-up found no address the app listens on, so it warms nothing. ` +
  `It requests pages from the app's own address: call app.listen() (an app that only runs init() cannot be warmed).`;

export const warmUpFailedMessage = (url: string, suppressed: number): string =>
  `${MODULE}: warm-up could not request ${url} from the app's own address; the page renders on its next visit.` +
  (suppressed > 0 ? ` (${suppressed} similar errors suppressed)` : '');

export const warmPathsMessage = (value: unknown): string =>
  `${MODULE}: CachePageService.warm() takes paths as visitors request them, such as ['/', '/posts/hello'] ` +
  `(got ${showValue(value)}).`;

export const warmOriginMessage = (value: unknown): string =>
  `${MODULE}: CachePageService.warm(paths, { origin }): "origin" must be an http(s) origin such as ` +
  `'https://example.com' (got ${showValue(value)}).`;
