export * from './cache-page.decorator.js';
export * from './no-cache-page.decorator.js';
export * from './dependent-paths.decorator.js';
