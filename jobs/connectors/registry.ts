// Maps an account's connector name (its `platform` of the connector) to the connector that imports it.
import { demoConnector } from './demo.ts';
import { fileConnector } from './file.ts';
import type { Connector } from './types.ts';

export const connectors: Record<string, Connector> = {
  [demoConnector.platform]: demoConnector,
  [fileConnector.platform]: fileConnector,
};

export function getConnector(platform: string): Connector {
  const c = Object.hasOwn(connectors, platform) ? connectors[platform] : undefined;
  if (!c) {
    throw new Error(`unknown connector "${platform}" (known: ${Object.keys(connectors).sort().join(', ')})`);
  }
  return c;
}
