export * from './page-entry.js';
export * from './page-key.js';
export * from './page-store.js';
export * from './memory-cache.js';
