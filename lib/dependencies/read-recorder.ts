import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { OrmModel } from './orm-model.js';
import { recordDriverRead, recordMembership, recordRow, type ReadTarget } from './query-dependencies.js';
import type { RenderCapture } from './render-capture.js';
import { readSqlStatement, sqlText } from './sql-statement.js';
import { primaryKeyRow } from './where-rows.js';

type Meta = EntityMetadata<object>;
type Prop = EntityProperty<object>;
type FindOptions = {
  orderBy?: unknown;
  offset?: number;
  em?: object;
  populate?: unknown;
  populateWhere?: unknown;
  populateFilter?: unknown;
};

/** Identity maps larger than this are read by class only. */
const MAX_IDENTITY_ROWS = 256;

/**
 * A render's reads through one ORM, turned into its dependencies: driver finds and counts (with
 * what MikroORM adds to them: formulas, filters joined from relations, filtered populates), pivot
 * loads, streams and SQL, and at the end the rows of the identity maps it read through.
 */
export class ReadRecorder {
  constructor(private readonly model: OrmModel) {}

  /** `find`, `findOne` or `count` of the driver returned `result`. */
  find(render: RenderCapture, method: string, args: unknown[], result: unknown): void {
    const [entityName, where, options] = args as [unknown, unknown, FindOptions | undefined];
    const meta = this.model.metaOf(entityName);
    if (!meta) return render.deps.addAnything(this.model.keys);
    if (options?.em) render.entityManagers.add(options.em);
    const rows = method === 'count' ? [] : Array.isArray(result) ? result : result ? [result] : [];
    recordDriverRead(this.target(render), {
      meta,
      where,
      orderBy: options?.orderBy,
      offset: options?.offset,
      counts: method === 'count',
      rows,
      filteredPopulate: this.filteredPopulate(meta, options),
    });
    this.formulas(render, meta);
    this.joinedFilters(render, meta);
  }

  /** `loadFromPivotTable(prop, owners, where)` of the driver returned `result`. */
  pivot(render: RenderCapture, args: unknown[], result: unknown): void {
    const [prop, owners, where] = args as [Prop, unknown[][], unknown];
    const target = this.target(render);
    for (const owner of owners) recordMembership(target, prop, owner.length === 1 ? owner[0] : owner);
    const targetMeta = prop.targetMeta as Meta | undefined;
    if (!targetMeta) return render.deps.addAnything(this.model.keys);
    if (where && typeof where === 'object' && Object.keys(where).length > 0)
      render.deps.addClass(this.model.keys, targetMeta.className);
    for (const items of Object.values((result ?? {}) as Record<string, unknown[]>)) {
      for (const item of items) recordRow(target, targetMeta, item);
    }
  }

  /** `stream()` reads row by row, past the driver's `find`: the SQL's tables or the class, as a whole. */
  stream(args: unknown[], render: RenderCapture): void {
    const sql = sqlText(args[0]);
    if (sql !== undefined && /^\s*(select|with)\b/i.test(sql)) {
      return this.tables(render, readSqlStatement(sql).tables);
    }
    const meta = this.model.metaOf(args[0]);
    if (meta) render.deps.addClass(this.model.keys, meta.className);
    else render.deps.addAnything(this.model.keys);
  }

  /** A SQL read (QueryBuilder, raw SQL) named these tables (`undefined`: it could not be read). */
  tables(render: RenderCapture, tables: readonly string[] | undefined): void {
    // No table at all (`select 1`, a function): nothing to attribute it to.
    if (!tables || tables.length === 0) return render.deps.addAnything(this.model.keys);
    for (const table of tables) {
      const meta = this.model.metaOfTable(table);
      if (meta) render.deps.addClass(this.model.keys, meta.className);
      else render.deps.addAnything(this.model.keys);
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
      const target = this.target(render);
      for (const entity of entities) {
        const wrapped = this.model.core.helper(entity as never) as unknown as {
          __meta: Meta;
          __initialized: boolean;
          getPrimaryKey(): unknown;
        };
        if (!wrapped.__initialized) continue;
        if (entities.length > MAX_IDENTITY_ROWS)
          render.deps.addClass(this.model.keys, wrapped.__meta.className);
        else recordRow(target, wrapped.__meta, { ...primaryKeyRow(wrapped.__meta, wrapped.getPrimaryKey()) });
      }
    }
  }

  /**
   * MikroORM joins a to-one relation whose entity has filters into every query of the owner
   * (`autoJoinRefsForFilters`, on by default): a comment list leaves out comments of a
   * soft-deleted article. Such a read depends on the foreign key and on the columns the
   * related filters compare (the whole related class when a filter's condition is a function).
   */
  private joinedFilters(render: RenderCapture, meta: Meta): void {
    if (this.model.config.get('autoJoinRefsForFilters') === false) return;
    for (const prop of meta.relations as Prop[]) {
      const related = prop.targetMeta as Meta | undefined;
      if (!related || !(prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner))) continue;
      const conditions = this.model.filterConditions(related);
      if (conditions.length === 0) continue;
      render.deps.add(this.model.keys, meta.className, this.model.keys.column(meta.className, prop.name));
      for (const condition of conditions) {
        if (typeof condition !== 'object' || condition === null) {
          render.deps.addClass(this.model.keys, related.className);
          continue;
        }
        for (const name of Object.keys(condition)) {
          if (name.startsWith('$') || !(related.properties as Record<string, unknown>)[name]) {
            render.deps.addClass(this.model.keys, related.className);
          } else
            render.deps.add(
              this.model.keys,
              related.className,
              this.model.keys.column(related.className, name),
            );
        }
      }
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
    const globalFilters =
      Object.keys((this.model.config.get('filters') as object | undefined) ?? {}).length > 0;
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
  private formulas(render: RenderCapture, meta: Meta): void {
    for (const prop of Object.values(meta.properties as Record<string, Prop>)) {
      if (!prop.formula) continue;
      let sql: string;
      try {
        sql = String((prop.formula as (alias: unknown) => unknown)('x'));
      } catch {
        render.deps.addAnything(this.model.keys);
        continue;
      }
      this.tables(render, readSqlStatement(`select ${sql}`).tables);
    }
  }

  private target(render: RenderCapture): ReadTarget {
    return { keys: this.model.keys, deps: render.deps, metaOf: (name) => this.model.metaOf(name) };
  }
}

/** A condition object that narrows something (`{}` does not). */
function isCondition(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
