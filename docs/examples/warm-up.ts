/*
 * The README's "Warm-up", as a file that compiles: `npm run typecheck` checks it, and
 * test/unit/readme-examples.spec.ts checks that the README shows it as it is here.
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CachePageModule, CachePageService } from 'nestjs-cache-page';

@Module({ imports: [CachePageModule.forRoot({ warmUp: true })] })
class AppModule {}

export async function warmAfterDeploy(): Promise<void> {
  // #region readme
  // scripts/warm.ts: after a deploy, with the app listening
  const app = await NestFactory.create(AppModule);
  await app.listen(3000);
  const results = await app.get(CachePageService).warm(['/', '/about'], { origin: 'https://example.com' });
  console.table(results);
  await app.close();
  // #endregion readme
}
