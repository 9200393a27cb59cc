import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { Post } from './post.entity';
import { PostsController } from './posts.controller';

@Module({
  imports: [MikroOrmModule.forFeature([Post])],
  controllers: [PostsController],
})
export class PostsModule {}
