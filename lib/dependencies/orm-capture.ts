import type { CachePageOrm } from '../interfaces/cache-page-module-options.interface.js';
import type { MikroOrmCore } from '../orm/mikro-orm.loader.js';
import { listenTo, type DriverListener } from './driver-hooks.js';
import { OrmModel } from './orm-model.js';
import { ReadRecorder } from './read-recorder.js';
import type { RenderCapture } from './render-capture.js';
import { watchResultCache } from './result-cache-watch.js';
import { readSqlStatement, sqlText } from './sql-statement.js';
import { WriteRecorder, type WriteSink } from './write-recorder.js';

export type { WriteSink } from './write-recorder.js';

/** The driver's reads whose `where` and rows are read, and its writes. */
const READS = ['find', 'findOne', 'count'];
const WRITES = ['nativeInsert', 'nativeInsertMany', 'nativeUpdate', 'nativeUpdateMany', 'nativeDelete'];

/**
 * The automatic dependencies of one MikroORM instance for one app: what renders read through its
 * driver and connections, and what every write through them changes. Listens to the instance's
 * own driver and connection objects (never MikroORM's classes), from module start until the app
 * closes.
 */
export class OrmCapture implements DriverListener {
  private readonly model: OrmModel;
  private readonly reads: ReadRecorder;
  private readonly writes: WriteRecorder;
  private readonly detach: Array<() => void> = [];

  constructor(core: MikroOrmCore, orm: CachePageOrm, prefix: string, sink: WriteSink) {
    this.model = new OrmModel(core, orm, prefix);
    this.reads = new ReadRecorder(this.model);
    this.writes = new WriteRecorder(this.model, sink);
  }

  /** The class keys of every entity of this ORM, and its "anything" key: what a render's guard reads. */
  guardKeys(): string[] {
    const { keys } = this.model;
    return [...this.model.allMetas().map((meta) => keys.class(meta.className)), keys.anything()];
  }

  /** Listens to the driver's reads and writes and the connections' `execute` (see `listenTo`). */
  install(): void {
    const driver = (this.model.orm.em as unknown as { getDriver(): object }).getDriver();
    const driverMethods = [...READS, 'findVirtual', 'countVirtual', 'loadFromPivotTable', ...WRITES];
    this.detach.push(listenTo(driver, driverMethods, ['stream'], this));
    const connections = new Set(
      ['write', 'read'].map((type) =>
        (driver as { getConnection(type: string): object }).getConnection(type),
      ),
    );
    for (const connection of connections)
      this.detach.push(listenTo(connection, ['execute'], ['stream'], this));
    watchResultCache(this.model.config);
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
    if (WRITES.includes(method)) return this.writes.driverWrite(method, args, next);
    if (method === 'findVirtual' || method === 'countVirtual') mine?.deps.addAnything(this.model.keys);
    const result = await next();
    if (mine && READS.includes(method)) this.reads.find(mine, method, args, result);
    if (mine && method === 'loadFromPivotTable') this.reads.pivot(mine, args, result);
    return result;
  }

  /** `stream()` of the driver or a connection, seen before it runs. */
  before(method: string, args: unknown[], render: RenderCapture): void {
    if (method === 'stream' && render.captures.has(this)) this.reads.stream(args, render);
  }

  /** `onFlush`: the rows the unit of work will delete, with their values. */
  flushing(changeSets: Iterable<{ type: string; entity: object; meta: object }>): void {
    this.writes.flushing(changeSets);
  }

  /** Adds the rows of the render's entity managers' identity maps: what it may have shown. */
  finishRender(render: RenderCapture): void {
    this.reads.finishRender(render);
  }

  /** This ORM's request-context entity manager, if the render runs in one. */
  contextEntityManager(): object | undefined {
    return this.model.core.RequestContext.getEntityManager(this.model.contextName) as object | undefined;
  }

  /** A statement a connection runs: a read of the render, a write, or neither. */
  private execute(args: unknown[], call: () => Promise<unknown>, render: RenderCapture | undefined) {
    const [query, , , ctx] = args as [unknown, unknown, unknown, object | undefined];
    const sql = sqlText(query);
    const statement = sql === undefined ? undefined : readSqlStatement(sql);
    if (statement && statement.kind !== 'write') {
      if (statement.kind === 'read' && render) this.reads.tables(render, statement.tables);
      return call();
    }
    return this.writes.sqlWrite(statement, ctx, call);
  }
}
