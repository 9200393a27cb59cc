import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describeIfAvailable } from './services.js';

/** Debian's Chromium (`apt-get install chromium`); `TEST_CHROMIUM` points elsewhere. */
export const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a quiet headless Chromium in a container: no sandbox (we run as root), no GPU, no
 * QUIC, and none of the background traffic a first run, updates or sync would make.
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why there is no browser to drive, or `undefined` when `CHROMIUM` can be started. */
export function missingBrowser(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set TEST_CHROMIUM)`;
  }
}

/**
 * `describe` for a suite that drives a real browser: skipped with a loud warning where Chromium
 * is not installed, and failing under `CI=true` (`.ci/run` installs it).
 */
export function describeWithBrowser(name: string, body: () => void) {
  return describeIfAvailable('Chromium', missingBrowser(), name, body);
}

export interface BrowserOptions {
  /**
   * Whether Back/Forward may restore pages from Chromium's back/forward cache, as a user's
   * Chromium does. Playwright turns that cache off by default; here it is on unless `false`,
   * and with it off history navigations read the HTTP (disk) cache instead.
   * @default true
   */
  readonly backForwardCache?: boolean;
  /** The window size; 390 × 844 is a phone. @default { width: 1280, height: 900 } */
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** A headless Chromium with a fresh profile of its own; `close()` removes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  /** The window the browser opened with. */
  readonly page: Page;
  close(): Promise<void>;
}

/**
 * Starts Debian's Chromium headless through `playwright-core` (no browser download), with a new
 * `--user-data-dir`, so its HTTP cache and history start empty, like a first visit.
 */
export async function launchBrowser({
  backForwardCache = true,
  viewport = { width: 1280, height: 900 },
}: BrowserOptions = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'cache-page-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      ignoreDefaultArgs: backForwardCache ? ['--disable-back-forward-cache'] : [],
      viewport,
      timeout: 60_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
