import { BadRequestException } from '@nestjs/common';

/** A submitted form or JSON body, as the platform parsed it. */
export type FormBody = Record<string, unknown> | undefined;

/** A trimmed, non-empty text field of at most `max` characters, or a 400. */
export function requiredText(body: FormBody, field: string, max: number): string {
  const value = body?.[field];
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0 || text.length > max) {
    throw new BadRequestException(`"${field}" is required, with at most ${max} characters`);
  }
  return text;
}

/** A trimmed text field that may be left out (`undefined` when empty). */
export function optionalText(body: FormBody, field: string, max: number): string | undefined {
  const value = body?.[field];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return undefined;
  return requiredText(body, field, max);
}

/** A comma-separated list field (`"nestjs, caching"`), or an array of strings from JSON. */
export function listField(body: FormBody, field: string): string[] {
  const value = body?.[field];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
}
