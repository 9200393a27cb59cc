import { Controller, Get, NotFoundException, Param, Render } from '@nestjs/common';
import { longDate, pageView } from '../common/page.view.js';
import { AuthorsService } from './authors.service.js';
import { postPage } from '../routes.js';

@Controller('authors')
export class AuthorsController {
  constructor(private readonly authors: AuthorsService) {}

  @Get(':slug')
  @Render('author')
  async show(@Param('slug') slug: string) {
    const author = await this.authors.findBySlug(slug);
    if (!author) throw new NotFoundException(`There is no author “${slug}”.`);
    const posts = author.posts.getItems().map((post) => ({
      title: post.title,
      url: postPage.path(post),
      date: longDate(post.publishedAt),
    }));
    return pageView(author.name, { author: { name: author.name, bio: author.bio }, posts });
  }
}
