/** The `@mikro-orm/core` module (6.x or 7.x), as the subscriber uses it. */
export type MikroOrmCore = typeof import('@mikro-orm/core');

/**
 * Loads `@mikro-orm/core` on demand. It is an optional peer: an app without MikroORM never
 * reaches this, and one where it cannot be loaded gets `undefined`.
 */
export async function loadMikroOrmCore(): Promise<MikroOrmCore | undefined> {
  try {
    return await import('@mikro-orm/core');
  } catch {
    return undefined;
  }
}
