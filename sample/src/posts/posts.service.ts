import { EntityManager, EntityRepository } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { BadRequestException, Injectable, NotFoundException, type HttpException } from '@nestjs/common';
import { Author } from '../authors/author.entity.js';
import { FormConflictException } from '../common/form-conflict.exception.js';
import { PageMovedException } from '../common/page-moved.exception.js';
import { slugify } from '../common/slugify.js';
import { TagsService } from '../tags/tags.service.js';
import { FormerPostSlug } from './former-post-slug.entity.js';
import { Post } from './post.entity.js';
import { adminPostPage, postPage } from '../routes.js';

/** A new post, as the admin form sends it. */
export interface PostInput {
  readonly title: string;
  readonly slug?: string;
  readonly body: string;
  readonly authorSlug: string;
  readonly tags: readonly string[];
}

/** An edit: only the fields given change. */
export type PostChanges = Partial<Pick<PostInput, 'title' | 'slug' | 'body' | 'tags'>>;

/** Newest first; the id breaks ties between posts published at the same time. */
const NEWEST_FIRST = { publishedAt: 'desc', id: 'desc' } as const;

@Injectable()
export class PostsService {
  constructor(
    @InjectRepository(Post) private readonly posts: EntityRepository<Post>,
    @InjectRepository(FormerPostSlug) private readonly formerSlugs: EntityRepository<FormerPostSlug>,
    @InjectRepository(Author) private readonly authors: EntityRepository<Author>,
    private readonly em: EntityManager,
    private readonly tags: TagsService,
  ) {}

  newest(): Promise<Post[]> {
    return this.posts.findAll({ populate: ['author', 'tags'], orderBy: NEWEST_FIRST });
  }

  /** Page `page` (from 1) of `size` posts, and how many posts there are in all. */
  async page(page: number, size: number): Promise<{ posts: Post[]; total: number }> {
    const [posts, total] = await this.posts.findAndCount(
      {},
      { populate: ['author', 'tags'], orderBy: NEWEST_FIRST, limit: size, offset: (page - 1) * size },
    );
    return { posts, total };
  }

  /** The post whose slug this is now. */
  findBySlug(slug: string): Promise<Post | null> {
    return this.posts.findOne({ slug }, { populate: ['author', 'tags'] });
  }

  /** For a slug no post has: a 301 to `urlOf` the post that had it, or a 404. */
  async movedOrMissing(
    slug: string,
    urlOf: (post: Post) => string = (post) => postPage.path(post),
  ): Promise<HttpException> {
    const former = await this.formerSlugs.findOne({ slug }, { populate: ['post'] });
    return former
      ? new PageMovedException(urlOf(former.post))
      : new NotFoundException(`There is no post “${slug}”.`);
  }

  /**
   * Publishes a post. The author is loaded with their posts and the tags with theirs: the new
   * post changes those collections, and `Author`/`Tag.dependentPaths()` read them.
   */
  async create(input: PostInput): Promise<Post> {
    const author = await this.authors.findOne({ slug: input.authorSlug }, { populate: ['posts'] });
    if (!author) throw new BadRequestException(`There is no author “${input.authorSlug}”.`);
    const slug = await this.claimSlug(input.slug ?? input.title);
    const post = this.posts.create({
      slug,
      title: input.title,
      body: input.body,
      author,
      publishedAt: new Date(),
      tags: await this.tags.findOrCreate(input.tags),
    });
    await this.em.flush();
    return post;
  }

  /**
   * Edits the post at `slug`, loaded with what its `dependentPaths()` (and its tags') read. A new
   * slug moves the post; its old URL then redirects to the new one. A form posted to a former
   * slug was opened before the post moved, and would move it back: a 409 that links the current form.
   */
  async update(slug: string, changes: PostChanges): Promise<Post> {
    const post = await this.posts.findOne({ slug }, { populate: ['author', 'tags.posts'] });
    if (!post) {
      const moved = await this.formerSlugs.findOne({ slug }, { populate: ['post'] });
      if (!moved) throw new NotFoundException(`There is no post “${slug}”.`);
      throw new FormConflictException(
        `This post moved to ${postPage.path(moved.post)} after this form was opened: nothing was saved. Open the current form and edit it there.`,
        adminPostPage.path(moved.post),
      );
    }
    const newSlug = changes.slug === undefined ? post.slug : slugify(changes.slug);
    if (newSlug !== post.slug) {
      await this.claimSlug(newSlug);
      this.formerSlugs.create({ slug: post.slug, post });
      post.slug = newSlug;
    }
    const tags = changes.tags === undefined ? undefined : await this.tags.findOrCreate(changes.tags);
    if (changes.title !== undefined) post.title = changes.title;
    if (changes.body !== undefined) post.body = changes.body;
    if (tags) post.tags.set(tags);
    await this.em.flush();
    return post;
  }

  /**
   * The slug for `text`, free for a post to take: a 400 when it has no letters or digits, a 409
   * when another post has it. A former slug is free: it stops redirecting.
   */
  private async claimSlug(text: string): Promise<string> {
    const slug = slugify(text);
    if (slug === '') throw new BadRequestException('A post needs a title or slug with a letter or a digit.');
    const other = await this.posts.findOne({ slug });
    if (other) {
      throw new FormConflictException(
        `There is already a post at ${postPage.path(other)} (“${other.title}”): choose another slug or title.`,
        postPage.path(other),
      );
    }
    for (const former of await this.formerSlugs.find({ slug })) this.em.remove(former);
    return slug;
  }
}
