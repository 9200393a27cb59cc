import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { describeConfig, readConfig } from './app.config.js';
import { createBlogApp } from './app.factory.js';

async function bootstrap(): Promise<void> {
  const config = readConfig();
  const app = await createBlogApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://localhost:${port}`;
  const used = describeConfig(config);
  process.stdout.write(
    [
      '',
      `  The Cached Blog is running at ${url}/`,
      '',
      `  adapter   ${used.adapter}`,
      `  database  ${used.database}`,
      `  cache     ${used.cache}`,
      ...(used.edge ? [`  edge      ${used.edge}`] : []),
      '',
      `  Try it:   curl -sD - -o /dev/null ${url}/ | grep -i x-cache   (twice: MISS, then HIT)`,
      `  Admin:    ${url}/admin   (never cached)`,
      '',
      '',
    ].join('\n'),
  );
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
