import { Module } from '@nestjs/common';
import { GreetingFragment } from './greeting.fragment.js';
import { SignInController } from './sign-in.controller.js';

/** The demo sign-in (`/login`, `/logout`) and the greeting every page shows. */
@Module({
  controllers: [SignInController],
  providers: [GreetingFragment],
})
export class SignInModule {}
