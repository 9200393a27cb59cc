import { Injectable, Logger } from '@nestjs/common';
import { LOGGER_CONTEXT } from '../cache-page.internal-constants.js';
import { invalidationListenerFailedMessage } from '../cache-page.messages.js';
import { invalidationEvent, type InvalidationEvent, type InvalidationRecord } from './invalidation-record.js';

/** The listeners of `CachePageService.onInvalidation()`. */
@Injectable()
export class InvalidationEvents {
  private listeners: ReadonlyArray<(event: InvalidationEvent) => void> = [];
  private readonly logger = new Logger(LOGGER_CONTEXT);

  subscribe(listener: (event: InvalidationEvent) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  /** Tells every listener what was invalidated; one that throws is logged, nothing else happens. */
  emit(records: readonly InvalidationRecord[]): void {
    if (this.listeners.length === 0 || records.length === 0) return;
    const event = invalidationEvent(records);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(invalidationListenerFailedMessage(error));
      }
    }
  }
}
