import { EntityManager, EntityRepository } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { Injectable, NotFoundException } from '@nestjs/common';
import { slugify } from '../common/slugify.js';
import { Tag } from './tag.entity.js';

@Injectable()
export class TagsService {
  constructor(
    @InjectRepository(Tag) private readonly tags: EntityRepository<Tag>,
    private readonly em: EntityManager,
  ) {}

  /** A tag with its posts, newest first. */
  async findBySlug(slug: string): Promise<Tag | null> {
    return this.tags.findOne({ slug }, { populate: ['posts'], orderBy: { posts: { publishedAt: 'desc' } } });
  }

  all(): Promise<Tag[]> {
    return this.tags.findAll({ populate: ['posts'], orderBy: { name: 'asc' } });
  }

  /**
   * The tags with these names, created when missing, each with its posts loaded: tagging or
   * untagging a post changes them, and `Tag.dependentPaths()` reads their posts.
   */
  async findOrCreate(names: readonly string[]): Promise<Tag[]> {
    const wanted = new Map(
      names.map((name) => [slugify(name), name] as const).filter(([slug]) => slug !== ''),
    );
    const existing = await this.tags.find({ slug: { $in: [...wanted.keys()] } }, { populate: ['posts'] });
    const bySlug = new Map(existing.map((tag) => [tag.slug, tag]));
    return [...wanted].map(([slug, name]) => bySlug.get(slug) ?? this.tags.create({ slug, name }));
  }

  /** Renames a tag; its slug follows the name, so its page moves to a new URL. */
  async rename(slug: string, name: string): Promise<Tag> {
    const tag = await this.tags.findOne({ slug }, { populate: ['posts'] });
    if (!tag) throw new NotFoundException(`No tag "${slug}"`);
    tag.name = name;
    tag.slug = slugify(name) || tag.slug;
    await this.em.flush();
    return tag;
  }
}
