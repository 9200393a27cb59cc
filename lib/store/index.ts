export * from './page-entry.js';
export * from './page-key.js';
export * from './page-store.js';
export * from './page-backend.js';
export * from './memory-backend.js';
export * from './cache-manager-backend.js';
