// Maps an account's connector name (its `platform` of the connector) to the connector that imports it.
import type { Config } from '../config.ts';
import { createBlueskyConnector } from './bluesky.ts';
import { demoConnector } from './demo.ts';
import { fileConnector } from './file.ts';
import { createFacebookConnector, createInstagramConnector } from './graph.ts';
import { createMastodonConnector } from './mastodon.ts';
import { createRssConnector } from './rss.ts';
import type { Connector } from './types.ts';
import { createXConnector } from './x.ts';
import { createYouTubeConnector } from './youtube.ts';

export const connectors: Record<string, Connector> = {
  [demoConnector.platform]: demoConnector,
  [fileConnector.platform]: fileConnector,
};

/** Every connector, the platform ones at the configured base URLs with the configured credentials. */
export function connectorsFor(config: Config): Record<string, Connector> {
  const list = [
    demoConnector,
    fileConnector,
    createXConnector({ baseUrl: config.MIZAN_X_API_URL, bearerToken: config.MIZAN_X_BEARER_TOKEN ?? null }),
    createFacebookConnector({ baseUrl: config.MIZAN_GRAPH_API_URL, accessToken: config.MIZAN_META_ACCESS_TOKEN ?? null }),
    createInstagramConnector({ baseUrl: config.MIZAN_GRAPH_API_URL, accessToken: config.MIZAN_META_ACCESS_TOKEN ?? null }),
    createYouTubeConnector({ apiBaseUrl: config.MIZAN_YOUTUBE_API_URL, feedBaseUrl: config.MIZAN_YOUTUBE_FEED_URL, apiKey: config.MIZAN_YOUTUBE_API_KEY ?? null }),
    createMastodonConnector({}),
    createBlueskyConnector({ baseUrl: config.MIZAN_BLUESKY_API_URL }),
    createRssConnector({}),
  ];
  return Object.fromEntries(list.map((c) => [c.platform, c]));
}

export function getConnector(platform: string): Connector {
  const c = Object.hasOwn(connectors, platform) ? connectors[platform] : undefined;
  if (!c) {
    throw new Error(`unknown connector "${platform}" (known: ${Object.keys(connectors).sort().join(', ')})`);
  }
  return c;
}
