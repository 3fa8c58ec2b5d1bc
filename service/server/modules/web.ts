/**
 * The branded landing page at "/" and its static assets. Owns the branding watcher (reloads
 * BRANDING_DIR without a restart); the page is re-rendered from the current branding per request.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { watchBranding } from "../../branding/watcher.js";
import { contentSecurityPolicy, renderPage } from "../../web/page.js";
import type { HttpReply, HttpRoute } from "../http-router.js";
import type { ModuleFactory, ServiceModule } from "../module.js";

/** service/web/static, in the source tree and in dist/ (scripts/copy-assets.mjs copies it). */
const STATIC_DIR = new URL("../../web/static/", import.meta.url);

const STATIC_FILES: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

async function staticRoutes(): Promise<HttpRoute[]> {
  return Promise.all(
    Object.entries(STATIC_FILES).map(async ([file, contentType]) => {
      const body = await readFile(new URL(file, STATIC_DIR));
      const reply: HttpReply = {
        status: 200,
        body,
        contentType,
        headers: { "cache-control": "public, max-age=300" },
      };
      return {
        methods: ["GET"],
        path: `/static/${file}`,
        public: true,
        handler: () => reply,
      } satisfies HttpRoute;
    }),
  );
}

/** Browsers ask for it on every visit; an empty answer keeps 404s out of logs and consoles. */
const favicon: HttpRoute = {
  methods: ["GET"],
  path: "/favicon.ico",
  public: true,
  handler: () => ({ status: 204, body: "", contentType: "image/x-icon" }),
};

export const webModule: ModuleFactory = {
  name: "web",
  create: async (ctx): Promise<ServiceModule> => {
    const { config, logger } = ctx;
    const branding = await watchBranding({
      dir: config.brandingDir,
      pollMs: config.brandingPollMs,
      tenant: config.tenant,
      logger,
    });
    const page: HttpRoute = {
      methods: ["GET"],
      path: "/",
      public: true,
      handler: () => {
        const nonce = randomBytes(16).toString("base64");
        return {
          status: 200,
          contentType: "text/html; charset=utf-8",
          body: renderPage({
            branding: branding.current(),
            nonce,
            calculator: config.services.has("calculator"),
            users: config.services.has("users"),
            counter: config.services.has("counter"),
            tokenRequired: config.auth !== undefined,
          }),
          headers: {
            "content-security-policy": contentSecurityPolicy(nonce),
            "referrer-policy": "no-referrer",
            "x-frame-options": "DENY",
          },
        };
      },
    };
    return {
      name: "web",
      http: [page, favicon, ...(await staticRoutes())],
      close: async () => branding.close(),
    };
  },
};
