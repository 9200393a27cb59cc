import { Body, Controller, Get, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import { NoCachePage } from 'nestjs-cache-page';
import { requiredText, type FormBody, type TextField } from '../common/form-fields.js';
import { uncachedPageView } from '../common/page.view.js';
import { homePage } from '../routes.js';
import { safeNext, SIGN_OUT_PATH } from './greeting.html.js';
import { signIn, signOut, type SessionRequest } from './session-user.js';

const NAME: TextField = { name: 'name', label: 'Name', max: 40 };

/**
 * A demo sign-in: a name, no password. The reader's name goes into their session; every page
 * then greets them (the layout's greeting fragment), cached pages included.
 */
@Controller()
export class SignInController {
  /** The sign-in form. Never cached: it is not the same for everyone (it carries `next`). */
  @Get('login')
  @NoCachePage()
  @Render('login')
  form(@Query('next') next?: string) {
    return uncachedPageView('Sign in', 'The sign-in page is never cached.', {
      next: safeNext(next, homePage.path()),
    });
  }

  /** Signs the reader in and sends them back where they were (303). */
  @Post('login')
  @Redirect()
  async signIn(@Req() request: SessionRequest, @Body() body: FormBody) {
    const name = requiredText(body, NAME);
    await signIn(request, name);
    return { url: safeNext(body?.next, homePage.path()), statusCode: 303 };
  }

  /** Ends the session and sends the reader back where they were (303). */
  @Post(SIGN_OUT_PATH.slice(1))
  @Redirect()
  async signOut(@Req() request: SessionRequest, @Body() body: FormBody) {
    await signOut(request);
    return { url: safeNext(body?.next, homePage.path()), statusCode: 303 };
  }
}
