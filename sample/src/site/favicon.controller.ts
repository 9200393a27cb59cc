import { Controller, Get, Header } from '@nestjs/common';

/** The site's icon: a page with lines of text, in the blog's blue. */
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#3344aa"/>
<rect x="8" y="8" width="16" height="3" rx="1.5" fill="#fff"/>
<rect x="8" y="14.5" width="16" height="3" rx="1.5" fill="#fff" opacity=".8"/>
<rect x="8" y="21" width="10" height="3" rx="1.5" fill="#fff" opacity=".6"/>
</svg>
`;

/**
 * `/favicon.svg`, which the layout links, and `/favicon.ico`, which browsers and feed readers
 * ask for on their own. The page cache does not keep images; the browser may, for a day.
 */
@Controller()
export class FaviconController {
  @Get(['favicon.svg', 'favicon.ico'])
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'public, max-age=86400')
  icon(): string {
    return ICON;
  }
}
