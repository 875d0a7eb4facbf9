/** What the browser tests share: launching Chromium, signing people up, and finding things on their pages. */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";

export const baseUrl = inject("baseUrl");
export const SCREENSHOTS = "test-results/screenshots";
export const PASSWORD = "password123";
export const DESKTOP = { width: 1200, height: 800 };
export const PHONE = { width: 360, height: 740 };
export type Viewport = typeof DESKTOP;
/** How long to wait for something another browser caused. */
export const LIVE_MS = 15_000;
/** One suffix per run, so usernames never collide with an earlier run's. */
export const run = Math.random().toString(36).slice(2, 7);
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface Person {
  name: string;
  id: string;
  context: BrowserContext;
  page: Page;
}

let browser: Browser | undefined;

/** Launches Chromium before the calling file's tests and closes it after them. */
export function useChromium(): void {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
}

let contexts = 0;
/**
 * A fresh browser profile, as another person's own browser, on an address of its own (from the
 * benchmarking range 198.18.0.0/15): the suites share one server, and its per-address sign-up
 * limit is for one network, not for every test person at once.
 */
export function newContext(viewport: Viewport): Promise<BrowserContext> {
  if (!browser) throw new Error("useChromium() first");
  contexts += 1;
  const address = `198.19.${Math.floor(Math.random() * 256)}.${contexts % 256}`;
  return browser.newContext({ viewport, baseURL: baseUrl, extraHTTPHeaders: { "CF-Connecting-IP": address } });
}

/** Signs up in a fresh page of `context` and waits for the list to be live. */
export async function signUpIn(context: BrowserContext, name: string): Promise<Person> {
  const page = await context.newPage();
  await page.goto("/signup");
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  // The default lifetime is 24 hours.
  expect(await page.getByLabel("Account lifetime").inputValue()).toBe("24");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("navigation", { name: "App" }).waitFor();
  await waitForConnected(page);
  const id = await page.evaluate(
    async () => ((await (await fetch("/api/me")).json()) as { user: { id: string } }).user.id,
  );
  return { name, id, context, page };
}

export async function waitForConnected(page: Page): Promise<void> {
  await page.locator('.header [data-state="open"]').waitFor({ timeout: LIVE_MS });
}

export function chatTitle(page: Page, name: string): Locator {
  return page.getByRole("heading", { level: 2, name });
}

export function chatStatus(page: Page): Locator {
  return page.locator(".chat__status");
}

export function messages(page: Page): Locator {
  return page.getByRole("log", { name: "Messages" });
}

export function message(page: Page, text: string | RegExp): Locator {
  return messages(page)
    .locator("li.msg")
    .filter({ has: page.locator(".msg__body", { hasText: text }) });
}

export function composer(page: Page): Locator {
  return page.getByRole("textbox", { name: /^Message to/ });
}

export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await expect.poll(() => composer(page).inputValue()).toBe("");
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

/** Runs axe in the page (evaluate is not subject to the page's CSP) and returns serious findings. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            context: Document,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}
