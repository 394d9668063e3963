// The only reader of process.env: parsed once with zod, every bad field reported at once.
import { z } from 'zod';

const boolFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const cronExpression = z.string().trim().min(9, 'must be a cron expression such as "*/5 * * * *"');

/** An http(s) base URL without a trailing slash. */
const baseUrl = (fallback: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http:// or https:// URL')
    .transform((v) => v.replace(/\/+$/, ''))
    .default(fallback);

/** localhost, 127.0.0.0/8 or [::1]: the only hosts an http:// OpenID Connect issuer may name (a local test provider). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** An OpenID Connect issuer, kept exactly as written (it must equal the provider's `iss`, trailing slash included). */
const oidcIssuer = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && !new URL(v).search && !new URL(v).hash, 'must be the issuer URL without query or fragment')
  .refine((v) => !URL.canParse(v) || new URL(v).protocol === 'https:' || (new URL(v).protocol === 'http:' && isLoopbackHost(new URL(v).hostname)), 'must be an https:// URL (http:// only for a provider on localhost)')
  .optional()
  .or(z.literal('').transform(() => undefined));

/** A secret from the environment: unset or empty means none. */
const secret = () =>
  z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .optional();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')
    .refine((v) => URL.canParse(v), 'is not a valid URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  MIZAN_DATA_DIR: z.string().min(1).default('./data'),
  MIZAN_DEMO: boolFlag.default(true),
  MIZAN_IMPORT_CRON: cronExpression.default('*/5 * * * *'),
  MIZAN_ROLLUP_CRON: cronExpression.default('17 * * * *'),
  /** Monthly reports of the previous month (issue 9): the 1st at 06:00 in MIZAN_TIMEZONE; `off` = only on demand. */
  MIZAN_REPORT_CRON: z.literal('off').or(cronExpression).default('0 6 1 * *'),
  /** The Chromium that prints PDF reports; without it PDF fails with an install hint and XLSX/CSV still work. */
  MIZAN_CHROMIUM_PATH: z.string().trim().min(1).default('/usr/bin/chromium'),
  /** Digits of the Arabic reports: latn (0-9, as the dashboard) or arab (٠-٩). */
  MIZAN_REPORT_DIGITS: z.enum(['latn', 'arab'], { error: 'must be latn or arab' }).default('latn'),
  MIZAN_TIMEZONE: z.string().default('Asia/Bahrain'),
  MIZAN_WEB_DIR: z.string().default('dist/web'),
  MIZAN_LOG_REQUESTS: boolFlag.default(false),
  /** Host names the server answers to (comma-separated); default: loopback names when HOST is loopback, any otherwise. */
  MIZAN_ALLOWED_HOSTS: z
    .string()
    .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .optional(),
  // Platform APIs: each base URL defaults to the platform's public address (tests and proxies point elsewhere).
  MIZAN_X_API_URL: baseUrl('https://api.x.com'),
  /** Graph API with its version: `/{page-id}/posts` and `/{ig-user-id}/media` are appended. */
  MIZAN_GRAPH_API_URL: baseUrl('https://graph.facebook.com/v21.0'),
  /** YouTube Data API: `/youtube/v3/...` is appended. */
  MIZAN_YOUTUBE_API_URL: baseUrl('https://www.googleapis.com'),
  /** YouTube's public channel feed: `/feeds/videos.xml?channel_id=` is appended. */
  MIZAN_YOUTUBE_FEED_URL: baseUrl('https://www.youtube.com'),
  /** A public Bluesky AppView: `/xrpc/app.bsky.feed.getAuthorFeed` is appended. */
  MIZAN_BLUESKY_API_URL: baseUrl('https://public.api.bsky.app'),
  MIZAN_X_BEARER_TOKEN: secret(),
  MIZAN_META_ACCESS_TOKEN: secret(),
  /** Without a key, YouTube is read from the public feed. */
  MIZAN_YOUTUBE_API_KEY: secret(),
  /** Encrypts per-account tokens at rest (AES-256-GCM): 32 bytes as 64 hex characters or base64. */
  MIZAN_SECRET_KEY: secret(),
  // Sign-in (issue 8).
  /** A session ends after this long without a request, and in any case this many hours after sign-in. */
  MIZAN_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(120),
  MIZAN_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Behind a reverse proxy: read the caller's address from X-Forwarded-For and HTTPS from X-Forwarded-Proto. */
  MIZAN_TRUST_PROXY: boolFlag.default(false),
  /** The embedded demo's users' password; without it each start prints a random one per user. */
  MIZAN_DEMO_PASSWORD: secret(),
  /** Mizan's address as its users reach it, for links in e-mails and reports (e.g. https://mizan.csb.gov.bh). */
  MIZAN_PUBLIC_URL: baseUrl('http://localhost:3000'),
  // API rate limits (server/rate-limit.ts): a token bucket per caller, in each process's memory; 0 requests/s turns one off.
  /** Sustained requests per second and burst per signed-in caller (session or API token): a dashboard page sends about ten at once. */
  MIZAN_RATE_LIMIT: z.coerce.number().min(0).max(100_000).default(20),
  MIZAN_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** The same per address for requests without a (valid) session or token: the sign-in page and strangers. */
  MIZAN_RATE_LIMIT_ANONYMOUS: z.coerce.number().min(0).max(100_000).default(5),
  MIZAN_RATE_BURST_ANONYMOUS: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** How long the API keeps a dashboard answer (overview, scorecard, trend, lists) at most, in seconds; 0 = no cache.
   *  Any change the dashboard shows retires the cached answers at once (the data generation); the age is only a bound. */
  MIZAN_DASHBOARD_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  // OpenID Connect sign-in (optional): on when the issuer is set; the redirect URI is MIZAN_PUBLIC_URL + /auth/oidc/callback.
  /** The directory's issuer, e.g. https://login.microsoftonline.com/{tenant-id}/v2.0. */
  MIZAN_OIDC_ISSUER: oidcIssuer,
  MIZAN_OIDC_CLIENT_ID: z.string().trim().max(500).optional().transform((v) => v || undefined),
  MIZAN_OIDC_CLIENT_SECRET: secret(),
  /** The sign-in page's button. */
  MIZAN_OIDC_LABEL: z.string().trim().min(1, 'must not be empty').max(60, 'is at most 60 characters').default('Government directory'),
  // Alerts (issue 8): in-app always; e-mail when MIZAN_SMTP_URL is set; a signed webhook when its URL is set.
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465; unset: no e-mail. */
  MIZAN_SMTP_URL: z
    .string()
    .trim()
    .refine((v) => !v || (URL.canParse(v) && /^smtps?:$/.test(new URL(v).protocol)), 'must be an smtp:// or smtps:// URL')
    .transform((v) => v || undefined)
    .optional(),
  MIZAN_MAIL_FROM: z.string().trim().min(3, 'must be an address such as "Mizan <mizan@csb.gov.bh>"').default('Mizan <mizan@localhost>'),
  /** The local hour (MIZAN_TIMEZONE) at which daily and weekly digests are sent. */
  MIZAN_ALERT_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  /** The weekly digest's day: 0 Sunday … 6 Saturday. */
  MIZAN_ALERT_DIGEST_WEEKDAY: z.coerce.number().int().min(0).max(6).default(0),
  /** Each new alert is POSTed here as JSON, signed with MIZAN_ALERT_WEBHOOK_SECRET (jobs/alerts.ts describes the scheme). */
  MIZAN_ALERT_WEBHOOK_URL: z
    .string()
    .trim()
    .refine((v) => !v || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'must be an http:// or https:// URL')
    .transform((v) => v || undefined)
    .optional(),
  MIZAN_ALERT_WEBHOOK_SECRET: secret(),
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Settings that only make sense together, checked on the raw values so they are reported with any other problem.
  const set = (name: string) => Boolean(env[name]?.trim());
  if (set('MIZAN_OIDC_ISSUER') && !set('MIZAN_OIDC_CLIENT_ID')) problems.push('MIZAN_OIDC_CLIENT_ID: is required when MIZAN_OIDC_ISSUER is set (the client id registered at the directory)');
  if (!set('MIZAN_OIDC_ISSUER') && (set('MIZAN_OIDC_CLIENT_ID') || set('MIZAN_OIDC_CLIENT_SECRET'))) problems.push('MIZAN_OIDC_ISSUER: is required when MIZAN_OIDC_CLIENT_ID or MIZAN_OIDC_CLIENT_SECRET is set (unset them all to turn OpenID Connect off)');
  if (set('MIZAN_ALERT_WEBHOOK_URL') && !set('MIZAN_ALERT_WEBHOOK_SECRET')) problems.push('MIZAN_ALERT_WEBHOOK_SECRET: is required when MIZAN_ALERT_WEBHOOK_URL is set (the receiver checks the signature with it)');
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  return parsed.data;
}

/**
 * Defaults for tests and tools that build a config without the environment. Rate limits are off: a test sends
 * hundreds of requests a second from one session; the rate-limit test turns them on.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), MIZAN_RATE_LIMIT: 0, MIZAN_RATE_LIMIT_ANONYMOUS: 0, ...overrides };
}
