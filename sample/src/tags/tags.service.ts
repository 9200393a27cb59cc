import { EntityManager, EntityRepository } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { BadRequestException, Injectable, NotFoundException, type HttpException } from '@nestjs/common';
import { FormConflictException } from '../common/form-conflict.exception.js';
import { PageMovedException } from '../common/page-moved.exception.js';
import { slugify } from '../common/slugify.js';
import { FormerTagSlug } from './former-tag-slug.entity.js';
import { Tag } from './tag.entity.js';
import { tagPage } from '../routes.js';

/** The URL of a tag's page. */

@Injectable()
export class TagsService {
  constructor(
    @InjectRepository(Tag) private readonly tags: EntityRepository<Tag>,
    @InjectRepository(FormerTagSlug) private readonly formerSlugs: EntityRepository<FormerTagSlug>,
    private readonly em: EntityManager,
  ) {}

  /** The tag whose slug this is now, with its posts, newest first. */
  findBySlug(slug: string): Promise<Tag | null> {
    return this.tags.findOne({ slug }, { populate: ['posts'], orderBy: { posts: { publishedAt: 'desc' } } });
  }

  /** For a slug no tag has: a 301 to the page of the tag that had it, or a 404. */
  async movedOrMissing(
    slug: string,
    urlOf: (tag: Tag) => string = (tag) => tagPage.path(tag),
  ): Promise<HttpException> {
    const former = await this.formerSlugs.findOne({ slug }, { populate: ['tag'] });
    return former
      ? new PageMovedException(urlOf(former.tag))
      : new NotFoundException(`There is no tag “${slug}”.`);
  }

  all(): Promise<Tag[]> {
    return this.tags.findAll({ populate: ['posts'], orderBy: { name: 'asc' } });
  }

  /**
   * The tags with these names, created when missing, each with its posts loaded: tagging or
   * untagging a post changes them, and `Tag.dependentPaths()` reads their posts. A new tag may
   * take a slug that another tag had before: that old URL then shows the new tag.
   */
  async findOrCreate(names: readonly string[]): Promise<Tag[]> {
    const wanted = new Map(
      names.map((name) => [slugify(name), name] as const).filter(([slug]) => slug !== ''),
    );
    const existing = await this.tags.find({ slug: { $in: [...wanted.keys()] } }, { populate: ['posts'] });
    const bySlug = new Map(existing.map((tag) => [tag.slug, tag]));
    const created = [...wanted.keys()].filter((slug) => !bySlug.has(slug));
    await this.releaseFormerSlugs(created);
    return [...wanted].map(([slug, name]) => bySlug.get(slug) ?? this.tags.create({ slug, name }));
  }

  /**
   * Renames the tag at `slug` (its current or a former one, so a form from an old page still
   * works). Its slug follows the name, so its page moves to a new URL, and the old URL redirects
   * there. A name whose slug belongs to another tag is a 409; one without letters or digits a 400.
   */
  async rename(slug: string, name: string): Promise<Tag> {
    const tag = await this.findForChange(slug);
    const newSlug = slugify(name);
    if (newSlug === '') {
      throw new BadRequestException(`A tag name needs a letter or a digit (got “${name}”).`);
    }
    if (newSlug !== tag.slug) {
      const other = await this.tags.findOne({ slug: newSlug });
      if (other) {
        throw new FormConflictException(
          `There is already a tag “${other.name}”: choose another name, or rename that tag first.`,
          tagPage.path(other),
        );
      }
      await this.releaseFormerSlugs([newSlug]);
      this.formerSlugs.create({ slug: tag.slug, tag });
      tag.slug = newSlug;
    }
    tag.name = name;
    await this.em.flush();
    return tag;
  }

  /** The tag at this current or former slug, with its posts (`dependentPaths()` reads them), or a 404. */
  private async findForChange(slug: string): Promise<Tag> {
    const tag =
      (await this.tags.findOne({ slug }, { populate: ['posts'] })) ??
      (await this.formerSlugs.findOne({ slug }, { populate: ['tag.posts'] }))?.tag;
    if (!tag) throw new NotFoundException(`There is no tag “${slug}”.`);
    return tag;
  }

  /** These slugs become current slugs: they stop redirecting to the tags that had them. */
  private async releaseFormerSlugs(slugs: readonly string[]): Promise<void> {
    if (slugs.length === 0) return;
    for (const former of await this.formerSlugs.find({ slug: { $in: [...slugs] } })) this.em.remove(former);
  }
}
