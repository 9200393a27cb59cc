import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { CachePageOrm } from '../interfaces/cache-page-module-options.interface.js';
import type { InvalidationTrigger } from '../observation/invalidation-record.js';
import type { MikroOrmCore } from '../orm/mikro-orm.loader.js';
import { DependencyKeys, valueKey } from './dependency-key.js';
import { listenTo, type DriverListener } from './driver-hooks.js';
import { recordDriverRead, recordMembership, recordRow, type ReadTarget } from './query-dependencies.js';
import { captureScopes, type RenderCapture } from './render-capture.js';
import { readSqlStatement } from './sql-statement.js';
import { WriteKeys } from './write-dependencies.js';

type Meta = EntityMetadata<object>;
type Prop = EntityProperty<object>;
type Row = Record<string, unknown>;
type FindOptions = {
  orderBy?: unknown;
  offset?: number;
  em?: object;
  populate?: unknown;
  populateWhere?: unknown;
  populateFilter?: unknown;
};

/** Where the writes of one ORM go: into their transaction, or invalidated around an autocommit. */
export interface WriteSink {
  /** `keys` (or every page, `'all'`) change when `transaction` commits. */
  inTransaction(
    transaction: object,
    keys: WriteKeys | 'all',
    entity: string | undefined,
    trigger: InvalidationTrigger,
  ): void;
  /** Runs an autocommitted write: leases `keys` before, invalidates them after. */
  aroundAutocommit<T>(
    keys: WriteKeys | 'all',
    entity: string | undefined,
    write: () => Promise<T>,
    trigger: InvalidationTrigger,
  ): Promise<T>;
}

/** The driver's reads whose `where` and rows are read, and its writes. */
const READS = ['find', 'findOne', 'count'];
const WRITES = ['nativeInsert', 'nativeInsertMany', 'nativeUpdate', 'nativeUpdateMany', 'nativeDelete'];

/** Identity maps larger than this are read by class only. */
const MAX_IDENTITY_ROWS = 256;

/**
 * The automatic dependencies of one MikroORM instance: what renders read through its driver and
 * its connections, and what every write through them changes. Installed on the instance's own
 * driver and connection objects (never on MikroORM's classes), once, at module start.
 */
export class OrmCapture implements DriverListener {
  readonly keys: DependencyKeys;
  private readonly metadata: {
    find(name: unknown): Meta | undefined;
    getAll(): Record<string, Meta> | Map<string, Meta>;
  };
  private readonly byTable = new Map<string, Meta>();
  /** Rows the unit of work is deleting (announced in `onFlush`), with their values, by class and key. */
  private readonly deleting = new Map<string, Row>();
  private readonly target: ReadTarget;
  private readonly detach: Array<() => void> = [];
  private readonly config: { get(key: string): unknown };

  constructor(
    private readonly core: MikroOrmCore,
    private readonly orm: CachePageOrm,
    prefix: string,
    private readonly sink: WriteSink,
  ) {
    const config = (orm as unknown as { config: { get(key: string): unknown } }).config;
    this.config = config;
    this.keys = new DependencyKeys(prefix, String(config.get('contextName') ?? 'default'));
    this.metadata = (orm as unknown as { getMetadata(): OrmCapture['metadata'] }).getMetadata();
    for (const meta of this.allMetas())
      if (meta.tableName) this.byTable.set(meta.tableName.toLowerCase(), meta);
    this.target = { keys: this.keys, deps: undefined as never, metaOf: (name) => this.metaOf(name) };
  }

  /** The class keys of every entity of this ORM, and its "anything" key: what a render's guard reads. */
  guardKeys(): string[] {
    return [...this.allMetas().map((meta) => this.keys.class(meta.className)), this.keys.anything()];
  }

  /** Listens to the driver's reads and writes and the connections' `execute` (see `listenTo`). */
  install(): void {
    const driver = (this.orm.em as unknown as { getDriver(): object }).getDriver();
    const driverMethods = [...READS, 'findVirtual', 'countVirtual', 'loadFromPivotTable', ...WRITES];
    this.detach.push(listenTo(driver, driverMethods, ['stream'], this));
    const connections = new Set(
      ['write', 'read'].map((type) =>
        (driver as { getConnection(type: string): object }).getConnection(type),
      ),
    );
    for (const connection of connections)
      this.detach.push(listenTo(connection, ['execute'], ['stream'], this));
    this.watchResultCache();
  }

  /** Stops listening (the app closed). */
  dispose(): void {
    for (const detach of this.detach.splice(0)) detach();
  }

  /** A driver or connection call (see `DriverListener`). */
  async around(
    method: string,
    args: unknown[],
    next: () => Promise<unknown>,
    render: RenderCapture | undefined,
  ): Promise<unknown> {
    const mine = render?.captures.has(this) ? render : undefined;
    if (method === 'execute') return this.execute(args, next, mine);
    if (WRITES.includes(method)) return this.write(method, args, next);
    if (method === 'findVirtual' || method === 'countVirtual') mine?.deps.addAnything(this.keys);
    const result = await next();
    if (mine && READS.includes(method)) this.recordFind(mine, method, args, result);
    if (mine && method === 'loadFromPivotTable') this.recordPivot(mine, args, result);
    return result;
  }

  /** `em.stream()` reads row by row, past the driver's `find`: the class (or the SQL's tables) as a whole. */
  before(method: string, args: unknown[], render: RenderCapture): void {
    if (method !== 'stream' || !render.captures.has(this)) return;
    if (typeof args[0] === 'string' || sqlText(args[0]) !== undefined) {
      const sql = sqlText(args[0]);
      if (sql !== undefined && /^\s*(select|with)\b/i.test(sql)) {
        return this.recordTables(render, readSqlStatement(sql).tables);
      }
    }
    const meta = this.metaOf(args[0]);
    if (meta) render.deps.addClass(this.keys, meta.className);
    else render.deps.addAnything(this.keys);
  }

  /**
   * A read answered by MikroORM's result cache (`cache: ms`) returns rows as old as the cache
   * entry, which no epoch vouches for: the render's page is not stored.
   */
  private watchResultCache(): void {
    let adapter: { get?: unknown } | undefined;
    try {
      adapter = (
        this.config as unknown as { getResultCacheAdapter(): { get?: unknown } }
      ).getResultCacheAdapter();
    } catch {
      return;
    }
    const original = adapter?.get;
    if (!adapter || typeof original !== 'function' || (original as { cachePage?: true }).cachePage) return;
    const get = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const value: unknown = await (original as (...args: unknown[]) => unknown).apply(this, args);
      const render = captureScopes.getStore()?.render;
      if (render && value !== undefined && value !== null) render.deps.untrackable = 'result-cache';
      return value;
    };
    (adapter as Record<string, unknown>).get = Object.assign(get, { cachePage: true as const });
  }

  /** `onFlush`: the rows the unit of work will delete, with their values (its statement names only keys). */
  flushing(changeSets: Iterable<{ type: string; entity: object; meta: object }>): void {
    if (this.deleting.size > 10_000) this.deleting.clear();
    for (const changeSet of changeSets) {
      if (!changeSet.type.startsWith('delete')) continue;
      const meta = changeSet.meta as Meta;
      const entity = changeSet.entity as Row;
      const row: Row = {};
      const initialized = (this.core.helper(entity as never) as unknown as { __initialized: boolean })
        .__initialized;
      for (const prop of Object.values(meta.properties as Record<string, Prop>)) {
        if (!initialized && !meta.primaryKeys.includes(prop.name as never)) continue;
        const known = prop.kind === 'scalar' || prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner);
        // A reference removed without loading knows its key only: the rest stays unknown.
        if (known && entity[prop.name] !== undefined) row[prop.name] = this.valueOf(entity[prop.name]);
      }
      const pk = meta.primaryKeys.map((name) => row[name as string]);
      this.deleting.set(
        `${meta.root?.className ?? meta.className}#${valueKey(pk.length === 1 ? pk[0] : pk)}`,
        row,
      );
    }
  }

  /** Adds the rows of the render's entity managers' identity maps: what it may have shown. */
  finishRender(render: RenderCapture): void {
    for (const em of render.entityManagers) {
      let entities: object[];
      try {
        entities = (
          em as { getUnitOfWork(useContext?: boolean): { getIdentityMap(): { values(): object[] } } }
        )
          .getUnitOfWork(false)
          .getIdentityMap()
          .values();
      } catch {
        continue;
      }
      const target = { ...this.target, deps: render.deps };
      for (const entity of entities) {
        const wrapped = this.core.helper(entity as never) as unknown as {
          __meta: Meta;
          __initialized: boolean;
          getPrimaryKey(): unknown;
        };
        if (!wrapped.__initialized) continue;
        if (entities.length > MAX_IDENTITY_ROWS) render.deps.addClass(this.keys, wrapped.__meta.className);
        else recordRow(target, wrapped.__meta, { ...primaryKeyRow(wrapped.__meta, wrapped.getPrimaryKey()) });
      }
    }
  }

  /** This ORM's request-context entity manager, if the render runs in one. */
  contextEntityManager(): object | undefined {
    const name = String(
      (this.orm as unknown as { config: { get(key: string): unknown } }).config.get('contextName'),
    );
    return this.core.RequestContext.getEntityManager(name) as object | undefined;
  }

  private recordFind(render: RenderCapture, method: string, args: unknown[], result: unknown): void {
    const [entityName, where, options] = args as [unknown, unknown, FindOptions | undefined];
    const meta = this.metaOf(entityName);
    if (!meta) return render.deps.addAnything(this.keys);
    if (options?.em) render.entityManagers.add(options.em);
    const rows = method === 'count' ? [] : Array.isArray(result) ? result : result ? [result] : [];
    recordDriverRead(
      { ...this.target, deps: render.deps },
      {
        meta,
        where,
        orderBy: options?.orderBy,
        offset: options?.offset,
        counts: method === 'count',
        rows,
        filteredPopulate: this.filteredPopulate(meta, options),
      },
    );
    this.recordFormulas(render, meta);
    this.recordJoinedFilters(render, meta);
  }

  /**
   * MikroORM joins a to-one relation whose entity has filters into every query of the owner
   * (`autoJoinRefsForFilters`, on by default): a comment list leaves out comments of a
   * soft-deleted article. Such a read depends on the foreign key and on the columns the
   * related filters compare (the whole related class when a filter's condition is a function).
   */
  private recordJoinedFilters(render: RenderCapture, meta: Meta): void {
    if (this.config.get('autoJoinRefsForFilters') === false) return;
    for (const prop of meta.relations as Prop[]) {
      const related = prop.targetMeta as Meta | undefined;
      if (!related || !(prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner))) continue;
      const conditions = this.filterConditions(related);
      if (conditions.length === 0) continue;
      render.deps.add(this.keys, meta.className, this.keys.column(meta.className, prop.name));
      for (const condition of conditions) {
        if (typeof condition !== 'object' || condition === null) {
          render.deps.addClass(this.keys, related.className);
          continue;
        }
        for (const name of Object.keys(condition)) {
          if (name.startsWith('$') || !(related.properties as Record<string, unknown>)[name]) {
            render.deps.addClass(this.keys, related.className);
          } else render.deps.add(this.keys, related.className, this.keys.column(related.className, name));
        }
      }
    }
  }

  /** The conditions of the filters that can apply to `meta` (its own, and global ones naming it or every entity). */
  private filterConditions(meta: Meta): unknown[] {
    type Filter = { cond?: unknown; entity?: string | string[] };
    const own = Object.values(
      ((meta as { filters?: Record<string, Filter> }).filters ?? {}) as Record<string, Filter>,
    );
    const global = Object.values((this.config.get('filters') ?? {}) as Record<string, Filter>).filter(
      (filter) => {
        const entities = filter.entity === undefined ? undefined : ([] as string[]).concat(filter.entity);
        return !entities || entities.includes(meta.className);
      },
    );
    return [...own, ...global].map((filter) => filter.cond);
  }

  private recordPivot(render: RenderCapture, args: unknown[], result: unknown): void {
    const [prop, owners, where] = args as [Prop, unknown[][], unknown];
    const target = { ...this.target, deps: render.deps };
    for (const owner of owners) recordMembership(target, prop, owner.length === 1 ? owner[0] : owner);
    const targetMeta = prop.targetMeta as Meta | undefined;
    if (!targetMeta) return render.deps.addAnything(this.keys);
    if (where && typeof where === 'object' && Object.keys(where).length > 0)
      render.deps.addClass(this.keys, targetMeta.className);
    for (const items of Object.values((result ?? {}) as Record<string, unknown[]>)) {
      for (const item of items) recordRow(target, targetMeta, item);
    }
  }

  /**
   * To-many relations loaded with a find whose members may be filtered in the join itself
   * (`populateWhere`, `populateFilter`, or a filter of the related entity, which MikroORM applies
   * to joined relations): their classes as a whole, since a member left out can come in by an
   * edit that no membership key names.
   */
  private filteredPopulate(meta: Meta, options: FindOptions | undefined): Meta[] {
    const explicit = isCondition(options?.populateWhere) || isCondition(options?.populateFilter);
    const globalFilters = Object.keys((this.config.get('filters') as object | undefined) ?? {}).length > 0;
    const related: Meta[] = [];
    const visit = (owner: Meta, hints: unknown) => {
      for (const hint of Array.isArray(hints) ? hints : []) {
        const field = typeof hint === 'string' ? hint : (hint as { field?: unknown })?.field;
        if (typeof field !== 'string') continue;
        const prop = (owner.properties as Record<string, Prop | undefined>)[
          field.split(':')[0]!.split('.')[0]!
        ];
        const child = prop?.targetMeta as Meta | undefined;
        if (!prop || !child) continue;
        const toMany = prop.kind === '1:m' || prop.kind === 'm:n';
        const filtered = Object.keys((child as { filters?: object }).filters ?? {}).length > 0;
        if (toMany && (explicit || globalFilters || filtered)) related.push(child);
        visit(child, (hint as { children?: unknown })?.children);
      }
    };
    visit(meta, options?.populate);
    return related;
  }

  /** Formula properties read other tables in SQL no `where` shows: those tables as a whole. */
  private recordFormulas(render: RenderCapture, meta: Meta): void {
    for (const prop of Object.values(meta.properties as Record<string, Prop>)) {
      if (!prop.formula) continue;
      let sql: string;
      try {
        sql = String((prop.formula as (alias: unknown) => unknown)('x'));
      } catch {
        render.deps.addAnything(this.keys);
        continue;
      }
      this.recordTables(render, readSqlStatement(`select ${sql}`).tables);
    }
  }

  private async execute(
    args: unknown[],
    call: () => Promise<unknown>,
    render: RenderCapture | undefined,
  ): Promise<unknown> {
    const [query, , , ctx] = args as [unknown, unknown, unknown, object | undefined];
    const sql = sqlText(query);
    const statement = sql === undefined ? undefined : readSqlStatement(sql);
    if (statement && statement.kind !== 'write') {
      if (statement.kind === 'read' && render) this.recordTables(render, statement.tables);
      return call();
    }
    const metas = statement?.tables?.map((table) => this.byTable.get(table));
    if (!metas || metas.some((meta) => meta === undefined))
      return this.commit(ctx, 'all', undefined, 'native', call);
    const keys = this.writeKeys();
    for (const meta of metas as Meta[]) {
      keys.untracked(meta);
      this.childrenOf(meta, keys);
    }
    return this.commit(ctx, keys, (metas as Meta[])[0]?.className, 'native', call);
  }

  private recordTables(render: RenderCapture, tables: readonly string[] | undefined): void {
    if (tables?.length === 0) return render.deps.addAnything(this.keys);
    if (!tables) return render.deps.addAnything(this.keys);
    for (const table of tables) {
      const meta = this.byTable.get(table);
      if (meta) render.deps.addClass(this.keys, meta.className);
      else render.deps.addAnything(this.keys);
    }
  }

  private write(method: string, args: unknown[], call: () => Promise<unknown>): Promise<unknown> {
    const meta = this.metaOf(args[0]);
    const options = (
      method === 'nativeInsert' || method === 'nativeInsertMany'
        ? args[2]
        : method === 'nativeDelete'
          ? args[2]
          : args[3]
    ) as { ctx?: object; upsert?: boolean } | undefined;
    const trigger: InvalidationTrigger = method.startsWith('nativeInsert')
      ? 'create'
      : method === 'nativeDelete'
        ? 'delete'
        : options?.upsert
          ? 'upsert'
          : 'update';
    if (!meta) return this.commit(options?.ctx, 'all', undefined, trigger, call);
    const keys = this.writeKeys();
    switch (method) {
      case 'nativeInsert':
        keys.insertOrDelete(meta, [args[1] as Row]);
        break;
      case 'nativeInsertMany':
        keys.insertOrDelete(meta, (args[1] as Row[]) ?? []);
        break;
      case 'nativeUpdate':
        this.update(keys, meta, args[1], args[2] as Row, options?.upsert);
        break;
      case 'nativeUpdateMany': {
        const wheres = (args[1] as unknown[]) ?? [];
        const data = (args[2] as Row[]) ?? [];
        data.forEach((row, index) => this.update(keys, meta, wheres[index], row, options?.upsert));
        break;
      }
      default:
        this.delete(keys, meta, args[1]);
    }
    return this.commit(options?.ctx, keys, meta.className, trigger, call);
  }

  private update(keys: WriteKeys, meta: Meta, where: unknown, data: Row, upsert: boolean | undefined): void {
    keys.update(meta, primaryKeysOf(meta, where), data ?? {});
    if (upsert) keys.insertOrDelete(meta, [{ ...(equalityRows(meta, where)?.[0] ?? {}), ...data }]);
  }

  private delete(keys: WriteKeys, meta: Meta, where: unknown): void {
    const root = meta.root?.className ?? meta.className;
    const pks = primaryKeysOf(meta, where);
    const known = pks?.map((pk) => this.deleting.get(`${root}#${valueKey(pk)}`));
    if (pks && known?.every((row) => row !== undefined)) {
      for (const pk of pks) this.deleting.delete(`${root}#${valueKey(pk)}`);
      keys.insertOrDelete(meta, known as Row[]);
    } else {
      const rows = equalityRows(meta, where);
      if (rows) keys.insertOrDelete(meta, rows);
      else keys.untracked(meta);
    }
    this.childrenOf(meta, keys);
  }

  /**
   * Rows of other classes whose foreign key points at `meta` can change with it in the database
   * alone (`ON DELETE CASCADE`, `SET NULL`): those classes, untracked.
   */
  private childrenOf(meta: Meta, keys: WriteKeys): void {
    for (const other of this.allMetas()) {
      for (const prop of other.relations as Prop[]) {
        const points = prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner);
        if (points && (prop.targetMeta as Meta | undefined)?.className === meta.className)
          keys.untracked(other);
      }
    }
  }

  private commit<T>(
    ctx: object | undefined,
    keys: WriteKeys | 'all',
    entity: string | undefined,
    trigger: InvalidationTrigger,
    call: () => Promise<T>,
  ): Promise<T> {
    if (ctx) {
      this.sink.inTransaction(ctx, keys, entity, trigger);
      return call();
    }
    return this.sink.aroundAutocommit(keys, entity, call, trigger);
  }

  private writeKeys(): WriteKeys {
    return new WriteKeys(this.keys, (value) => this.valueOf(value));
  }

  /** A written or read value as a key: an entity or a reference by its primary key. */
  private valueOf(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    const { Reference, Utils, helper } = this.core;
    const entity = Reference.isReference(value) ? Reference.unwrapReference(value as never) : value;
    if (Utils.isEntity(entity))
      return (helper(entity as never) as unknown as { getPrimaryKey(): unknown }).getPrimaryKey();
    return value;
  }

  private metaOf(name: unknown): Meta | undefined {
    try {
      return (
        this.metadata.find(name) ?? (typeof name === 'function' ? this.metadata.find(name.name) : undefined)
      );
    } catch {
      return undefined;
    }
  }

  private allMetas(): Meta[] {
    const all = this.metadata.getAll();
    const metas = all instanceof Map ? [...all.values()] : Object.values(all);
    return metas.filter((meta) => !meta.embeddable && meta.className);
  }
}

/** A condition object that narrows something (`{}` does not). */
function isCondition(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

/** The primary keys a `where` names and nothing else, or `undefined`. */
function primaryKeysOf(meta: Meta, where: unknown): unknown[] | undefined {
  if (meta.primaryKeys.length !== 1) return undefined;
  const pk = meta.primaryKeys[0] as string;
  if (where === null || where === undefined) return undefined;
  if (typeof where !== 'object') return [where];
  if (Array.isArray(where)) return where;
  const entries = Object.entries(where as Row);
  if (entries.length !== 1 || entries[0]![0] !== pk) return undefined;
  const condition = entries[0]![1];
  if (typeof condition !== 'object' || condition === null) return [condition];
  const operators = condition as Row;
  if (Array.isArray(operators.$in) && Object.keys(operators).length === 1) return operators.$in;
  if ('$eq' in operators && Object.keys(operators).length === 1) return [operators.$eq];
  return undefined;
}

/**
 * The rows a `where` of equalities pins down (`{ a: 1, b: 2 }`, `{ $or: [{…}, {…}] }`, one
 * `$in`), as the values known of each; `undefined` when it is anything else.
 */
function equalityRows(meta: Meta, where: unknown): Row[] | undefined {
  const pks = primaryKeysOf(meta, where);
  if (pks) return pks.map((pk) => ({ [meta.primaryKeys[0] as string]: pk }));
  if (typeof where !== 'object' || where === null) return undefined;
  const entries = Object.entries(where as Row);
  if (entries.length === 1 && entries[0]![0] === '$or' && Array.isArray(entries[0]![1])) {
    const rows: Row[] = [];
    for (const branch of entries[0]![1] as unknown[]) {
      const branchRows = equalityRows(meta, branch);
      if (!branchRows) return undefined;
      rows.push(...branchRows);
    }
    return rows;
  }
  const row: Row = {};
  for (const [name, value] of entries) {
    if (name.startsWith('$')) return undefined;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const operators = value as Row;
      if (Object.keys(operators).length === 1 && '$eq' in operators) row[name] = operators.$eq;
      else return undefined;
    } else if (Array.isArray(value)) return undefined;
    else row[name] = value;
  }
  return [row];
}

function primaryKeyRow(meta: Meta, pk: unknown): Row {
  if (meta.primaryKeys.length === 1) return { [meta.primaryKeys[0] as string]: pk };
  const parts = Array.isArray(pk) ? pk : [pk];
  return Object.fromEntries(meta.primaryKeys.map((name, index) => [name as string, parts[index]]));
}

/** The SQL text of what a connection is asked to run (a string, a knex builder, a raw fragment). */
function sqlText(query: unknown): string | undefined {
  if (typeof query === 'string') return query;
  if (typeof query !== 'object' || query === null) return undefined;
  const candidate = query as {
    sql?: unknown;
    toSQL?: () => { sql?: unknown };
    toRaw?: () => { sql?: unknown };
  };
  if (typeof candidate.sql === 'string') return candidate.sql;
  try {
    if (typeof candidate.toSQL === 'function') return String(candidate.toSQL().sql);
    if (typeof candidate.toRaw === 'function') return String(candidate.toRaw().sql);
  } catch {
    return undefined;
  }
  return undefined;
}
