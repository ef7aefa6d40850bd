import { z } from 'zod';
import { accept } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * No verification: anything posted to the source's secret URL is accepted,
 * marked `verified: false`. The URL's key is the only protection.
 */
export const genericWebhook: SourceTypeSpec = {
  type: 'generic-webhook',
  config: z.strictObject({}),
  secretFields: [],
  verify() {
    return accept(null, null, false);
  },
};
