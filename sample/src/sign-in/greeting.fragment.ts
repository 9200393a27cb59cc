import { Injectable } from '@nestjs/common';
import { PageFragment } from 'nestjs-cache-page';
import { signInPage } from '../routes.js';
import { greetingHtml } from './greeting.html.js';
import { requestedPath, userOf, type SessionRequest } from './session-user.js';

/**
 * The layout's `{{fragment 'greeting'}}`: filled for each response, hit or miss, from the
 * visitor's session. Reading the session here does not make the page personal: every reader
 * gets the one stored copy, with their own greeting in it.
 */
@Injectable()
export class GreetingFragment {
  @PageFragment('greeting')
  greeting(request: SessionRequest): { html: string } {
    return { html: greetingHtml(userOf(request), requestedPath(request), signInPage.path()) };
  }
}
