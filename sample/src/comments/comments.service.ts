import { EntityManager, EntityRepository } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { Injectable, NotFoundException } from '@nestjs/common';
import { FormerPostSlug } from '../posts/former-post-slug.entity.js';
import { Post } from '../posts/post.entity.js';
import { Comment } from './comment.entity.js';

/** What a reader submits. */
export interface CommentInput {
  readonly authorName: string;
  readonly body: string;
}

@Injectable()
export class CommentsService {
  constructor(
    @InjectRepository(Comment) private readonly comments: EntityRepository<Comment>,
    @InjectRepository(Post) private readonly posts: EntityRepository<Post>,
    @InjectRepository(FormerPostSlug) private readonly formerPostSlugs: EntityRepository<FormerPostSlug>,
    private readonly em: EntityManager,
  ) {}

  /** The comments of a post, oldest first. */
  forPost(post: Post): Promise<Comment[]> {
    return this.comments.find({ post }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** The latest comments of the whole blog, for moderation. */
  latest(limit: number): Promise<Comment[]> {
    return this.comments.findAll({ populate: ['post'], orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }

  /**
   * Adds a comment to the post with this slug, or that had it (the form of a page opened before
   * the post moved). The post is loaded, so `Comment.dependentPaths()` can read its slug.
   */
  async add(slug: string, input: CommentInput): Promise<Comment> {
    const post =
      (await this.posts.findOne({ slug })) ??
      (await this.formerPostSlugs.findOne({ slug }, { populate: ['post'] }))?.post;
    if (!post) throw new NotFoundException(`There is no post “${slug}”.`);
    const comment = this.comments.create({
      post,
      authorName: input.authorName,
      body: input.body,
      createdAt: new Date(),
    });
    await this.em.flush();
    return comment;
  }

  async remove(id: number): Promise<void> {
    const comment = await this.comments.findOne({ id }, { populate: ['post'] });
    if (!comment) throw new NotFoundException(`There is no comment #${id}.`);
    await this.em.remove(comment).flush();
  }
}
