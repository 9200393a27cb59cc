/*
 * The README's "Personal fragments", as a file that compiles: `npm run typecheck` checks it, and
 * test/unit/readme-examples.spec.ts checks that the README shows it as it is here.
 */
import { Injectable } from '@nestjs/common';
import { PageFragment } from 'nestjs-cache-page';

/** What express-session or @fastify/session put on the request, as the example reads it. */
interface SignedInRequest {
  session?: { user?: string };
}

// #region readme
@Injectable()
export class Greeting {
  @PageFragment('greeting')
  greet(req: SignedInRequest) {
    return req.session?.user ? `Hi, ${req.session.user}` : 'Sign in';
  }
}
// #endregion readme
