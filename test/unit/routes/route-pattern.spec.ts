import { describe, expect, test } from '@jest/globals';
import { RequestMethod, VERSION_NEUTRAL, VersioningType } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';
import { compile } from 'path-to-regexp';
import {
  buildRoutePath,
  parseRoutePattern,
  ParamValueError,
  type RouteSyntax,
} from '../../../lib/routes/route-pattern.js';
import { OwnRoutePathBuilder, type RoutePathMetadata } from '../../../lib/routes/route-path-factory.js';

/*
 * Paths from route patterns, in both syntaxes the routers read: Express 5's path-to-regexp 8 and
 * Fastify's find-my-way. Values are encoded as the routers decode them.
 */
const build = (source: string, syntax: RouteSyntax, params: Record<string, unknown> = {}) =>
  buildRoutePath(parseRoutePattern(source, syntax), (name) => params[name]);

const problemOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ParamValueError) return `${error.problem} ${error.param}`;
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'no error';
};

describe('path-to-regexp 8 patterns (Express 5)', () => {
  test.each([
    ['/posts/:slug', { slug: 'hello' }, '/posts/hello'],
    ['/posts/:slug', { slug: 'c#' }, '/posts/c%23'],
    ['/posts/:slug', { slug: 'a/b' }, '/posts/a%2Fb'],
    ['/posts/:slug', { slug: '100%' }, '/posts/100%25'],
    ['/posts/:slug', { slug: 'what? now' }, '/posts/what%3F%20now'],
    ['/posts/:slug', { slug: 'über' }, '/posts/%C3%BCber'],
    ['/posts/:id', { id: 42 }, '/posts/42'],
    ['/posts{/:page}', {}, '/posts'],
    ['/posts{/:page}', { page: 2 }, '/posts/2'],
    ['/files/*path', { path: ['a', 'b c'] }, '/files/a/b%20c'],
    ['/files/*path', { path: 'a/b c' }, '/files/a/b%20c'],
    ['/files{/*path}', {}, '/files'],
    ['/files{/*path}', { path: ['x'] }, '/files/x'],
    ['/from/:from-:to', { from: 'a', to: 'b' }, '/from/a-b'],
    ['/feed.xml', {}, '/feed.xml'],
    ['/', {}, '/'],
    ['/a\\:b/:c', { c: 'd' }, '/a:b/d'],
    ['/q/:"odd name"', { 'odd name': 'x' }, '/q/x'],
  ])('%s with %j → %s', (source, params, path) => {
    expect(build(source, 'path-to-regexp', params)).toBe(path);
  });

  test.each([
    ['/posts/:slug', { slug: 'c#?/ü 100%' }],
    ['/posts{/:page}', { page: 'a b' }],
    ['/files/*path', { path: ['a', 'b c', 'ü'] }],
    ['/x/:a-:b', { a: '1', b: '#' }],
  ])('%s agrees with path-to-regexp compile() for %j', (source, params) => {
    expect(build(source, 'path-to-regexp', params)).toBe(compile(source)(params as never));
  });

  test.each([
    ['/posts/:slug', {}, 'missing slug'],
    ['/posts/:slug', { slug: '' }, 'missing slug'],
    ['/posts/:slug', { slug: null }, 'missing slug'],
    ['/files/*path', { path: [] }, 'missing path'],
    ['/posts/:slug', { slug: ['a'] }, 'invalid slug'],
    ['/posts/:slug', { slug: {} }, 'invalid slug'],
  ])('%s with %j: %s', (source, params, problem) => {
    expect(problemOf(() => build(source, 'path-to-regexp', params))).toBe(problem);
  });

  test.each([
    ['/posts/:id(\\d+)', /regular expression parameters are not supported/],
    ['/posts/:id?', /"\?" \(index 10\) is reserved/],
    ['/files/*', /has no name/],
    ['/posts{/:page', /not closed/],
    ['/posts/:a/:a', /appears twice/],
  ])('%s is refused: %s', (source, message) => {
    expect(() => parseRoutePattern(source, 'path-to-regexp')).toThrow(message);
  });

  test('a parameter object lists each name, optional or not', () => {
    const { params } = parseRoutePattern('/a/:x{/:y}/*z', 'path-to-regexp');
    expect(Object.fromEntries(params)).toEqual({
      x: { wildcard: false, optional: false },
      y: { wildcard: false, optional: true },
      z: { wildcard: true, optional: false },
    });
  });
});

describe('find-my-way patterns (Fastify)', () => {
  test.each([
    ['/posts/:slug', { slug: 'c#' }, '/posts/c%23'],
    ['/posts/:slug', { slug: 'a/b' }, '/posts/a%2Fb'],
    ['/posts/:page?', {}, '/posts'],
    ['/posts/:page?', { page: 3 }, '/posts/3'],
    ['/files/*', { '*': ['a', 'b c'] }, '/files/a/b%20c'],
    ['/files/*', { '*': 'a/b' }, '/files/a/b'],
    ['/files/*', {}, '/files/'],
    ['/from/:from-:to', { from: 'a', to: 'b' }, '/from/a-b'],
    ['/file/:name.:ext', { name: 'a', ext: 'txt' }, '/file/a.txt'],
    ['/time/12::30', {}, '/time/12:30'],
    ['/posts/:slug/comments', { slug: 'ü' }, '/posts/%C3%BC/comments'],
  ])('%s with %j → %s', (source, params, path) => {
    expect(build(source, 'find-my-way', params)).toBe(path);
  });

  test.each([
    ['/posts/:id(^\\d+$)', /regular expression parameters are not supported/],
    ['/posts/:page?/more', /must be the last segment/],
    ['/files/*/more', /"\*" must end the route/],
  ])('%s is refused: %s', (source, message) => {
    expect(() => parseRoutePattern(source, 'find-my-way')).toThrow(message);
  });

  test('a missing required parameter is named', () => {
    expect(problemOf(() => build('/posts/:slug', 'find-my-way'))).toBe('missing slug');
  });
});

describe("the copy of Nest's path rules (used when its RoutePathFactory cannot be loaded)", () => {
  const config = new ApplicationConfig();
  config.setGlobalPrefix('/api');
  config.setGlobalPrefixOptions({
    exclude: [{ path: 'health', requestMethod: RequestMethod.GET, pathRegex: /^\/health\/?$/i }] as never,
  });
  const uri = { type: VersioningType.URI } as const;
  const cases: [string, RoutePathMetadata][] = [
    ['plain', { ctrlPath: '/posts', methodPath: '/:slug', globalPrefix: '/api' }],
    ['root', { ctrlPath: '/', methodPath: '/', globalPrefix: '/api' }],
    ['excluded', { ctrlPath: '/health', methodPath: '/', globalPrefix: '/api' }],
    ['module path', { modulePath: '/blog', ctrlPath: '/posts', methodPath: '/:slug' }],
    ['module path array', { modulePath: ['/a', '/b'] as never, ctrlPath: '/posts', methodPath: '/' }],
    [
      'versions',
      {
        ctrlPath: '/docs',
        methodPath: '/:slug',
        globalPrefix: '/api',
        controllerVersion: ['1', '2'],
        versioningOptions: uri,
      },
    ],
    [
      'neutral first',
      {
        ctrlPath: '/docs',
        methodPath: '/',
        controllerVersion: [VERSION_NEUTRAL, '3'],
        versioningOptions: uri,
      },
    ],
    [
      'method version wins, custom prefix',
      {
        ctrlPath: '/docs',
        methodPath: '/',
        controllerVersion: '1',
        methodVersion: '9',
        versioningOptions: { type: VersioningType.URI, prefix: 'version-' },
      },
    ],
    [
      'excluded under a version',
      {
        ctrlPath: '/health',
        methodPath: '/',
        globalPrefix: '/api',
        controllerVersion: '1',
        versioningOptions: uri,
      },
    ],
    [
      'header versioning adds no segment',
      {
        ctrlPath: '/docs',
        methodPath: '/',
        controllerVersion: '1',
        versioningOptions: { type: VersioningType.HEADER, header: 'v' },
      },
    ],
  ];
  test.each(cases)('%s: the same paths as Nest', (_name, metadata) => {
    const nest = new RoutePathFactory(config).create({ ...metadata } as never, RequestMethod.GET);
    expect(new OwnRoutePathBuilder(config).create({ ...metadata }, RequestMethod.GET)).toEqual(nest);
  });
});
