/** The blog as an RSS channel. */
export interface RssChannel {
  readonly title: string;
  readonly link: string;
  readonly description: string;
}

export interface RssItem {
  readonly title: string;
  readonly link: string;
  readonly publishedAt: Date;
  readonly author: string;
  readonly categories: readonly string[];
  readonly description: string;
}

/** An RSS 2.0 document. */
export function buildRss(channel: RssChannel, items: readonly RssItem[]): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    `  <title>${xml(channel.title)}</title>`,
    `  <link>${xml(channel.link)}</link>`,
    `  <description>${xml(channel.description)}</description>`,
    ...items.flatMap((item) => [
      '  <item>',
      `    <title>${xml(item.title)}</title>`,
      `    <link>${xml(item.link)}</link>`,
      `    <guid isPermaLink="true">${xml(item.link)}</guid>`,
      `    <pubDate>${item.publishedAt.toUTCString()}</pubDate>`,
      `    <dc:creator>${xml(item.author)}</dc:creator>`,
      ...item.categories.map((category) => `    <category>${xml(category)}</category>`),
      `    <description>${xml(item.description)}</description>`,
      '  </item>',
    ]),
    '</channel>',
    '</rss>',
  ];
  return `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
