import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** A Nest logger that keeps what it is told, so tests can read the module's log lines. */
export class CapturedLogs implements LoggerService {
  readonly entries: Array<{ level: LogLevel; text: string }> = [];

  log = (message: unknown, ...rest: unknown[]) => this.push('log', message, rest);
  error = (message: unknown, ...rest: unknown[]) => this.push('error', message, rest);
  warn = (message: unknown, ...rest: unknown[]) => this.push('warn', message, rest);
  debug = (message: unknown, ...rest: unknown[]) => this.push('debug', message, rest);
  verbose = (message: unknown, ...rest: unknown[]) => this.push('verbose', message, rest);
  fatal = (message: unknown, ...rest: unknown[]) => this.push('fatal', message, rest);

  /** Lines of the page-cache module at this level. */
  of(level: LogLevel): string[] {
    return this.entries
      .filter((entry) => entry.level === level && entry.text.includes('CachePageModule'))
      .map((entry) => entry.text);
  }

  private push(level: LogLevel, message: unknown, rest: unknown[]): void {
    this.entries.push({ level, text: [message, ...rest].map(String).join(' | ') });
  }
}
