import { Injectable, type CallHandler, type NestInterceptor } from '@nestjs/common';

/** Does nothing: measures what Nest's interceptor pipeline itself costs every request. */
@Injectable()
export class NoopInterceptor implements NestInterceptor {
  intercept(_context: unknown, next: CallHandler) {
    return next.handle();
  }
}
