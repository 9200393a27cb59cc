import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { LIB, libSources } from '../support/lib-sources.js';

/*
 * The two flows of ARCHITECTURE.md meet in lib/store/, which knows nothing of HTTP or ORMs;
 * lib/http/ knows nothing of ORMs; lib/orm/ nothing of HTTP; lib/observation/ (what the cache
 * did) neither; lib/utils/ and lib/options/ nothing of any. The module's own top-level files (module, options, messages, constants, service) wire them.
 */

/** Every relative import (static, type or dynamic): `[importing file, imported file, type only]`. */
const edges = libSources().flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  const imports = [
    ...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm),
    ...text.matchAll(/^import\s+'(\.[^']+)'/gm),
    ...text.matchAll(/import\('(\.[^']+)'\)/g),
  ];
  return imports.map((match) => {
    const target = relative(LIB, resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')));
    return [relative(LIB, file), target, /^(?:import|export) type\s/.test(match[0])] as const;
  });
});

const layer = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : 'module');
const crossing = (from: string, to: readonly string[]) =>
  edges.filter(([source, target]) => layer(source) === from && to.includes(layer(target)));

describe('architecture', () => {
  test('the import graph was read', () => {
    expect(edges.length).toBeGreaterThan(50);
  });

  test('lib/store imports neither lib/http nor lib/orm', () => {
    expect(crossing('store', ['http', 'orm'])).toEqual([]);
  });

  test('lib/http does not import lib/orm, and lib/orm does not import lib/http', () => {
    expect(crossing('http', ['orm'])).toEqual([]);
    expect(crossing('orm', ['http'])).toEqual([]);
  });

  test('lib/options (reading the module options) imports nothing of the layers', () => {
    expect(crossing('options', ['store', 'http', 'orm', 'utils'])).toEqual([]);
  });

  test('lib/observation (what the cache did, for listeners and reports) imports neither lib/http nor lib/orm', () => {
    expect(crossing('observation', ['http', 'orm'])).toEqual([]);
  });

  test('lib/routes (paths from the routes) imports neither lib/http, lib/orm nor lib/store', () => {
    expect(crossing('routes', ['http', 'orm', 'store'])).toEqual([]);
  });

  test('lib/testing (nestjs-cache-page/testing) imports neither lib/http nor lib/orm', () => {
    expect(crossing('testing', ['http', 'orm'])).toEqual([]);
  });

  test('lib/dependencies (automatic dependencies, where reads meet writes) imports neither lib/http nor lib/orm at run time', () => {
    expect(crossing('dependencies', ['http', 'orm']).filter(([, , typeOnly]) => !typeOnly)).toEqual([]);
  });

  test('lib/fragments (personal parts of shared pages) imports neither lib/http nor lib/orm', () => {
    expect(crossing('fragments', ['http', 'orm'])).toEqual([]);
  });

  test('lib/utils imports nothing of the layers', () => {
    expect(crossing('utils', ['store', 'http', 'orm'])).toEqual([]);
  });

  test('no import cycles between files at run time (type imports are erased)', () => {
    const graph = new Map<string, string[]>();
    for (const [source, target, typeOnly] of edges) {
      if (!typeOnly) graph.set(source, [...(graph.get(source) ?? []), target]);
    }
    const cycles = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) return void cycles.add([...path.slice(path.indexOf(file)), file].join(' → '));
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    };
    for (const file of graph.keys()) visit(file, []);
    expect([...cycles]).toEqual([]);
  });
});
