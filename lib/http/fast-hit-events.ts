import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOGGER_CONTEXT } from '../cache-page.internal-constants.js';
import { fastHitListenerFailedMessage } from '../cache-page.messages.js';

/**
 * A hit answered before the framework: the middleware did not run for it, so a request logger
 * or a counter that lives in middleware did not see it either.
 *
 * @publicApi
 */
export interface FastHit {
  /** Node's request, as the HTTP server received it. */
  readonly request: IncomingMessage;
  /** Node's response, already ended: status and headers are what was sent. */
  readonly response: ServerResponse;
}

/** The listeners of `CachePageService.onFastHit()`. */
@Injectable()
export class FastHitEvents {
  private listeners: ReadonlyArray<(hit: FastHit) => void> = [];
  private readonly logger = new Logger(LOGGER_CONTEXT);

  /** Whether anyone listens: a hit does not build an event for nobody. */
  get observed(): boolean {
    return this.listeners.length > 0;
  }

  subscribe(listener: (hit: FastHit) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  /** Tells every listener; one that throws is logged and never affects the response. */
  emit(request: IncomingMessage, response: ServerResponse): void {
    const hit: FastHit = { request, response };
    for (const listener of this.listeners) {
      try {
        listener(hit);
      } catch (error) {
        this.logger.error(fastHitListenerFailedMessage(error));
      }
    }
  }
}
