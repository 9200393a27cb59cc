import { BadRequestException } from '@nestjs/common';

/** A submitted form or JSON body, as the platform parsed it. */
export type FormBody = Record<string, unknown> | undefined;

/** One text field of a form: its name, what the form calls it, and its longest allowed value. */
export interface TextField {
  readonly name: string;
  readonly label: string;
  readonly max: number;
}

/**
 * The field's text, trimmed; a 400 that names the field when it is missing, only spaces, or
 * longer than `max` characters.
 */
export function requiredText(body: FormBody, field: TextField): string {
  const value = body?.[field.name];
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) {
    throw new BadRequestException(`“${field.label}” is empty or only spaces: please fill it in.`);
  }
  if (text.length > field.max) {
    throw new BadRequestException(
      `“${field.label}” is too long: ${text.length} characters, at most ${field.max}.`,
    );
  }
  return text;
}

/** A text field that may be left out or empty (`undefined` then); checked like `requiredText`. */
export function optionalText(body: FormBody, field: TextField): string | undefined {
  const value = body?.[field.name];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return undefined;
  return requiredText(body, field);
}

/** A comma-separated list field (`"nestjs, caching"`), or an array of strings from JSON. */
export function listField(body: FormBody, name: string): string[] {
  const value = body?.[name];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
}
