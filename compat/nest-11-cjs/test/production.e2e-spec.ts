import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..');

describe('the built app in plain Node, as `npm run start:prod` runs it (e2e)', () => {
  let report: { loaded: string; seen: string[] };

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: root });
    const { stdout } = await run(process.execPath, [join(__dirname, 'fixtures/production.cjs')], {
      cwd: root,
    });
    report = JSON.parse(stdout.trim().split('\n').at(-1)!);
  }, 60_000);

  it("require('nestjs-cache-page') loads the ESM build (the module-sync condition)", () => {
    expect(report.loaded).toMatch(/[\\/]dist[\\/]index\.js$/);
  });

  it('MISS, HIT; a flush invalidates the changed page and leaves the other one cached', () => {
    expect(report.seen).toEqual([
      'MISS First',
      'HIT First',
      'MISS Second',
      'MISS First, edited',
      'HIT Second',
    ]);
  });
});
