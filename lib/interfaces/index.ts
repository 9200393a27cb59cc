export * from './cache-page-module-options.interface.js';
