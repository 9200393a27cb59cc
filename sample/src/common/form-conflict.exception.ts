import { ConflictException } from '@nestjs/common';

/**
 * A 409 for a form that cannot be saved as it is: the name or slug it asks for belongs to
 * another tag or post, or what it edits has moved. `seeUrl` is the page to look at instead.
 */
export class FormConflictException extends ConflictException {
  constructor(
    message: string,
    readonly seeUrl: string,
  ) {
    super(message);
  }
}
