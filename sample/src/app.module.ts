import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { ApiModule } from './api/api.module.js';
import { APP_CONFIG, type AppConfig } from './app.config.js';
import { AuthorsModule } from './authors/authors.module.js';
import { BlogCacheModule } from './cache/blog-cache.module.js';
import { CommentsModule } from './comments/comments.module.js';
import { DatabaseModule } from './database/database.module.js';
import { FeedModule } from './feed/feed.module.js';
import { PostsModule } from './posts/posts.module.js';
import { SignInModule } from './sign-in/sign-in.module.js';
import { SiteModule } from './site/site.module.js';
import { TagsModule } from './tags/tags.module.js';

/** The blog: database, page cache, one module per resource, and the site's error pages. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule.forRoot(config.database),
        BlogCacheModule.forRoot(config),
        PostsModule,
        TagsModule,
        AuthorsModule,
        CommentsModule,
        FeedModule,
        ApiModule,
        AdminModule,
        SignInModule,
        SiteModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
