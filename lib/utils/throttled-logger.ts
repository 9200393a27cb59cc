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

  /** A warning that may repeat under load: once per topic per interval, with how often it was held back. */
  warnEvery(topic: string, message: (suppressed: number) => string): void {
    const suppressed = this.due(topic);
    if (suppressed !== undefined) this.logger.warn(message(suppressed));
  }

  error(topic: string, message: (suppressed: number) => string, error?: unknown): void {
    const suppressed = this.due(topic);
    if (suppressed !== undefined) {
      this.logger.error(message(suppressed), error instanceof Error ? error.stack : error);
    }
  }

  /** How many lines of this topic were held back since the last one, or `undefined` to hold this one back. */
  private due(topic: string): number | undefined {
    const now = Date.now();
    const state = this.lastLogged.get(topic);
    if (state && now - state.at < this.intervalMs) {
      state.suppressed += 1;
      return undefined;
    }
    this.lastLogged.set(topic, { at: now, suppressed: 0 });
    return state?.suppressed ?? 0;
  }
}
