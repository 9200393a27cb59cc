import { Logger } from '@nestjs/common';
import { LOGGER_CONTEXT } from '../cache-page.internal-constants.js';

/**
 * Logs one error per topic per interval, and counts what it held back, so a store outage under
 * load produces a handful of lines instead of one per request.
 */
export class ThrottledLogger {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs = 30_000) {}

  /** Information that happens rarely (the store is back): never held back. */
  log(message: string): void {
    this.logger.log(message);
  }

  /** Warnings that happen rarely (a restored store, an oversized batch): never held back. */
  warn(message: string): void {
    this.logger.warn(message);
  }

  error(topic: string, message: (suppressed: number) => string, error?: unknown): void {
    const now = Date.now();
    const state = this.lastLogged.get(topic);
    if (state && now - state.at < this.intervalMs) {
      state.suppressed += 1;
      return;
    }
    this.lastLogged.set(topic, { at: now, suppressed: 0 });
    this.logger.error(message(state?.suppressed ?? 0), error instanceof Error ? error.stack : error);
  }
}
