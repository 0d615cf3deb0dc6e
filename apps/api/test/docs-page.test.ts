/**
 * /docs as an operator opens it: rendered by a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), listing every operation of the API, with every asset served by the API itself.
 * Needs /usr/bin/chromium (scripts/setup.sh installs it).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../src/docs/operations.ts";
import { buildStubApp } from "./support/stub-app.ts";

const CHROMIUM = "/usr/bin/chromium";
// The UI renders in well under a second here; the slack covers a machine busy with other tests.
const RENDER_TIMEOUT_MS = 30_000;

describe("GET /docs in headless Chromium", () => {
  it("renders every operation, with no request leaving the API", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    const { app } = buildStubApp();
    const userDataDir = mkdtempSync(join(tmpdir(), "faceindex-chromium-"));
    // A fresh profile per run: launchPersistentContext is playwright's way to pass one.
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const origin = await app.listen({ port: 0, host: "127.0.0.1" });
      const page = await browser.newPage();
      const requested: string[] = [];
      page.on("request", (request) => requested.push(request.url()));
      const failed: string[] = [];
      page.on("requestfailed", (request) => failed.push(request.url()));

      const response = await page.goto(`${origin}/docs`, { timeout: RENDER_TIMEOUT_MS });
      expect(response?.ok()).toBe(true);
      await page.waitForSelector(".opblock", { timeout: RENDER_TIMEOUT_MS });
      const listed = await page.$$eval(".opblock", (blocks) =>
        blocks.map((block) => {
          const method = block.querySelector(".opblock-summary-method")?.textContent ?? "";
          const path = block.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "";
          return `${method.trim().toUpperCase()} ${path}`;
        }),
      );
      expect(listed.sort()).toEqual(Object.keys(OPERATIONS).sort());
      // The page shows the bearer scheme (the Authorize button) and the document's title.
      expect(await page.locator(".btn.authorize").count()).toBe(1);
      expect(await page.locator(".info .title").textContent()).toContain("faceindex");

      // No CDN: the page, its scripts, styles and the document all come from the API.
      expect(requested.length).toBeGreaterThan(2);
      expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:"))).toEqual([]);
      expect(failed).toEqual([]);
    } finally {
      await browser.close();
      await app.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
