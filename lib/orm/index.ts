export * from './cache-page-orm.registrar.js';
