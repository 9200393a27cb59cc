import { invalidOptionMessage } from '../cache-page.messages.js';

/** Readers of single option values: each applies its default and rejects a bad value. */

export function resolveMilliseconds(
  option: string,
  value: unknown,
  fallback: number,
  range: string,
  minimum = 0,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw new TypeError(invalidOptionMessage(option, value, `must be a number of milliseconds ${range}`));
  }
  return Math.floor(value);
}

export function resolveString(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new TypeError(invalidOptionMessage(option, value, 'must be a string'));
  return value;
}

export function resolveBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new TypeError(invalidOptionMessage(option, value, 'must be true or false'));
  return value;
}

export function resolvePositiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(invalidOptionMessage(option, value, 'must be a positive integer'));
  }
  return value;
}

export function resolveStringList(option: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new TypeError(invalidOptionMessage(option, value, 'must be an array of non-empty strings'));
  }
  return [...value];
}
