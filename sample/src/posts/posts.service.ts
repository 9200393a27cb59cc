import { EntityManager, EntityRepository } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { Author } from '../authors/author.entity.js';
import { slugify } from '../common/slugify.js';
import { TagsService } from '../tags/tags.service.js';
import { Post } from './post.entity.js';

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

  findBySlug(slug: string): Promise<Post | null> {
    return this.posts.findOne({ slug }, { populate: ['author', 'tags'] });
  }

  /**
   * Publishes a post. The author is loaded with their posts and the tags with theirs: the new
   * post changes those collections, and `Author`/`Tag.dependentPaths()` read them.
   */
  async create(input: PostInput): Promise<Post> {
    const author = await this.authors.findOne({ slug: input.authorSlug }, { populate: ['posts'] });
    if (!author) throw new BadRequestException(`No author "${input.authorSlug}"`);
    const slug = slugify(input.slug ?? input.title);
    await this.assertFree(slug);
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

  /** Edits a post, loaded with what its `dependentPaths()` (and its tags') read. */
  async update(slug: string, changes: PostChanges): Promise<Post> {
    const post = await this.posts.findOne({ slug }, { populate: ['author', 'tags.posts'] });
    if (!post) throw new NotFoundException(`No post "${slug}"`);
    const newSlug = changes.slug === undefined ? post.slug : slugify(changes.slug);
    if (newSlug !== post.slug) await this.assertFree(newSlug);
    const tags = changes.tags === undefined ? undefined : await this.tags.findOrCreate(changes.tags);
    post.slug = newSlug;
    if (changes.title !== undefined) post.title = changes.title;
    if (changes.body !== undefined) post.body = changes.body;
    if (tags) post.tags.set(tags);
    await this.em.flush();
    return post;
  }

  private async assertFree(slug: string): Promise<void> {
    if (slug === '') throw new BadRequestException('A post needs a title or slug with letters or digits');
    if ((await this.posts.count({ slug })) > 0) throw new BadRequestException(`The slug "${slug}" is taken`);
  }
}
