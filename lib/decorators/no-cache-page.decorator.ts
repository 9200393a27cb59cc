import { SetMetadata } from '@nestjs/common';
import { NO_CACHE_PAGE_METADATA } from '../cache-page.constants.js';

/**
 * This route (or, on a controller, every route of it) is never served from or stored in the
 * page cache.
 *
 * For example: `@NoCachePage() @Get('me') profile() { … }`
 *
 * @publicApi
 */
export const NoCachePage = (): ClassDecorator & MethodDecorator => SetMetadata(NO_CACHE_PAGE_METADATA, true);
