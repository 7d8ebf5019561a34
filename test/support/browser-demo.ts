import { after, before } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { DemoServerOptions } from "../../demo/demo-server.ts";
import { startDemoServer } from "../../demo/demo-server.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { browserUnavailable, launchChromium } from "./browser.ts";

/**
 * Why this file's browser tests are skipped (undefined: they run). In CI a missing Chromium
 * fails the file instead; locally the reason is printed.
 */
export function browserSkip(): string | undefined {
  const unavailable = browserUnavailable();
  if (unavailable !== undefined && process.env.CI) throw new Error(`browser tests need Chromium in CI: ${unavailable}`);
  if (unavailable !== undefined) console.log(`skipping browser tests locally: ${unavailable}`);
  return unavailable;
}

/** The demo server on a fresh embedded database, and a headless Chromium to open it in. */
export interface BrowserDemo {
  readonly server: LockstepServer;
  readonly store: SqlUserStore;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Starts a {@link BrowserDemo}: `secret` signs its tokens, `adminEmail` becomes an admin on registration, `extra` adds stores. */
export async function startBrowserDemo(options: {
  readonly secret: string;
  readonly adminEmail?: string;
  readonly extra?: (store: SqlUserStore) => Promise<Partial<DemoServerOptions>>;
}): Promise<BrowserDemo> {
  const store = await SqlUserStore.open(await openEmbeddedDatabase());
  const config = loadSecurityConfig({ JWT_SECRET: options.secret, ...(options.adminEmail !== undefined ? { ADMIN_EMAILS: options.adminEmail } : {}) });
  const server = await startDemoServer({ store, config, port: 0, host: "127.0.0.1", ...(await options.extra?.(store)) });
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  try {
    browser = await launchChromium();
  } catch (error) {
    // No browser: nothing of this demo stays running for the failed test.
    await server.close();
    await store.close();
    throw error;
  }
  return {
    server,
    store,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
      await store.close();
    },
  };
}

/** A {@link BrowserDemo} set up by the test file's hooks: read its parts inside tests. */
export interface BrowserDemoHandle {
  /** Why the file's browser tests are skipped (undefined: they run). */
  readonly skip: string | undefined;
  readonly server: LockstepServer;
  readonly browser: Browser;
  readonly store: SqlUserStore;
  /** Resolves once the demo is started (a file's own `before` hooks may not run after this one's). */
  ready(): Promise<void>;
}

/** Registers the file's `before` (start a {@link BrowserDemo} unless skipped) and `after` (close it) hooks. */
export function useBrowserDemo(options: Parameters<typeof startBrowserDemo>[0]): BrowserDemoHandle {
  const skip = browserSkip();
  let demo: BrowserDemo | undefined;
  let starting: Promise<void> | undefined;
  const start = (): Promise<void> => {
    starting ??= startBrowserDemo(options).then((started) => {
      demo = started;
    });
    return starting;
  };
  before(async () => {
    if (skip === undefined) await start();
  });
  after(async () => {
    await demo?.close();
  });
  const started = (): BrowserDemo => {
    if (demo === undefined) throw new Error("the browser demo is not started (skipped, or used outside a test)");
    return demo;
  };
  return {
    skip,
    ready: start,
    get server() {
      return started().server;
    },
    get browser() {
      return started().browser;
    },
    get store() {
      return started().store;
    },
  };
}

/** A page of the demo logged in as a guest: the page, the user's id, and what its scripts threw. */
export interface GuestPage {
  readonly page: Page;
  readonly uid: string;
  readonly errors: string[];
}

/** Opens the demo at `url` in a new page of `opener` (the browser, or a context of it) and logs in as the guest `name`. */
export async function openGuestPage(
  opener: { newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page> },
  url: string,
  name: string,
  viewport?: { width: number; height: number },
): Promise<GuestPage> {
  const page = await opener.newPage(viewport !== undefined ? { viewport } : {});
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page.fill("#name", name);
  await page.click("#guest");
  const uid = await page
    .waitForFunction(() => (window as unknown as { arena?: { user?: { id: string } } }).arena?.user?.id)
    .then((handle) => handle.jsonValue() as Promise<string>);
  return { page, uid, errors };
}
