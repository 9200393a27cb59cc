import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  Catch,
  ConflictException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  type ArgumentsHost,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { FormConflictException } from '../common/form-conflict.exception.js';
import { PageMovedException } from '../common/page-moved.exception.js';
import { errorPageView, type FailedRequest } from './error-page.view.js';

/** The JSON API: its errors stay JSON, as Nest sends them. */
const API_PATH = /^\/api(\/|$)/;

/**
 * How the site answers what goes wrong. A moved page gets its `301`. Readers and editors get
 * an HTML error page in the site's layout (400, 403, 404, 409, 500) that says what happened and
 * where to go (a comment form without its visitor's CSRF token is a 403); the JSON API keeps Nest's JSON errors. A unique constraint the database caught
 * (two editors taking one name at once) is a 409, not a 500.
 */
@Catch()
export class SiteExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Site');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(exception, host);
    const adapter = this.httpAdapterHost!.httpAdapter;
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    if (exception instanceof PageMovedException) {
      // Browsers keep a 301 for good unless told otherwise; renaming a tag back and forth would
      // then send them round in circles.
      adapter.setHeader(response, 'Cache-Control', 'no-cache');
      return adapter.redirect(response, exception.getStatus(), exception.location);
    }
    const request: FailedRequest = {
      method: adapter.getRequestMethod(http.getRequest()),
      path: adapter.getRequestUrl(http.getRequest()).split('?')[0]!,
    };
    const error = this.toHttpException(exception);
    if (API_PATH.test(request.path) || adapter.isHeadersSent(response)) return super.catch(error, host);
    const status = error.getStatus();
    const see =
      error instanceof FormConflictException ? { url: error.seeUrl, text: error.seeUrl } : undefined;
    adapter.status(response, status);
    adapter.render(response, 'error', errorPageView(request, status, readerMessage(error, request), see));
  }

  private toHttpException(exception: unknown): HttpException {
    if (exception instanceof HttpException) return exception;
    if (isCsrfRefusal(exception)) {
      return new ForbiddenException(
        'This form is from another site, or from before you signed in or out: reload its page and send it again.',
      );
    }
    if (exception instanceof UniqueConstraintViolationException) {
      return new ConflictException('That name or slug was just taken by another change: please try another.');
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return new InternalServerErrorException('The server could not show this page. Please try again later.');
  }
}

/** csrf-sync's `EBADCSRFTOKEN`, @fastify/csrf-protection's `FST_CSRF_INVALID_TOKEN` and `FST_CSRF_MISSING_SECRET`. */
function isCsrfRefusal(exception: unknown): boolean {
  const code = (exception as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(EBADCSRFTOKEN|FST_CSRF_)/.test(code);
}

/** The exception's message; a route nobody serves says which page is missing. */
function readerMessage(error: HttpException, request: FailedRequest): string {
  if (error instanceof NotFoundException && /^Cannot [A-Z]+ /.test(error.message)) {
    return `There is no page at ${request.path}.`;
  }
  const body = error.getResponse();
  const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
  return Array.isArray(message) ? message.join(' ') : String(message ?? error.message);
}
