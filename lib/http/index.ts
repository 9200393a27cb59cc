export * from './cache-page.interceptor.js';
