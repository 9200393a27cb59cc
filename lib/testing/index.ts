export { expectHit, expectMiss, type ResponseWithHeaders } from './cache-expectations.js';
export { expectInvalidates, invalidatedBy } from './invalidation-expectations.js';
