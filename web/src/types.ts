// The JSON shapes the console reads: Svix's models as they travel (timestamps as ISO strings),
// plus Hookyard's extension fields. Fields a server may not have yet are optional, and pages
// show them only when present.

export interface ApplicationOut {
  id: string;
  uid: string | null;
  name: string;
  rateLimit: number | null;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointOut {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  filterTypes: string[] | null;
  channels: string[] | null;
  disabled: boolean;
  disabledReason?: string | null;
  rateLimit: number | null;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  [extra: string]: unknown;
}

export interface EndpointStats {
  success: number;
  pending: number;
  sending: number;
  fail: number;
  canceled: number;
}

/** Hookyard's endpoint health (branch endpoint-health); every field may be absent. */
export interface EndpointHealth {
  consecutiveFailures?: number;
  failingSince?: string | null;
  lastSuccessAt?: string | null;
  lastFailureAt?: string | null;
  disabledAt?: string | null;
  disabledReason?: string | null;
  [extra: string]: unknown;
}

export interface MessageOut {
  id: string;
  eventId: string | null;
  eventType: string;
  payload?: unknown;
  channels: string[] | null;
  tags?: string[] | null;
  timestamp: string;
}

export interface AttemptOut {
  id: string;
  msgId: string;
  endpointId: string;
  url: string;
  response: string;
  responseStatusCode: number;
  responseDurationMs: number;
  status: number;
  statusText: string;
  triggerType: number;
  timestamp: string;
  errorClass?: string | null;
  errorMessage?: string | null;
  requestHeaders?: Record<string, string> | null;
  requestBody?: string | null;
  responseHeaders?: Record<string, string> | null;
  /** Hookyard extensions of the one-attempt GET: requestHeaders, responseHeaders, responseTruncated. */
  responseTruncated?: boolean;
  msg?: MessageOut | null;
}

export interface MessageEndpointOut extends EndpointOut {
  status: number;
  statusText: string;
  nextAttempt: string | null;
}

export interface EventTypeOut {
  name: string;
  description: string;
  archived: boolean;
  deprecated?: boolean;
  featureFlag?: string | null;
  groupName?: string | null;
  schemas: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

export interface TokenOut {
  id: string;
  name: string;
  prefix: string;
  scope: 'admin' | 'api';
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt?: string | null;
  token?: string;
}

/** Svix's IngestSourceOut; `config` depends on `type`. */
export interface SourceOut {
  id: string;
  uid?: string | null;
  name: string;
  type: string;
  config?: Record<string, unknown>;
  ingestUrl?: string | null;
  metadata?: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  [extra: string]: unknown;
}

/** Svix's OperationalWebhookEndpointOut. */
export interface OperationalEndpointOut {
  id: string;
  uid?: string | null;
  url: string;
  description: string;
  disabled?: boolean;
  filterTypes?: string[] | null;
  rateLimit?: number | null;
  createdAt: string;
  updatedAt: string;
}

/** Svix's RecoverOut / ReplayOut: a background task. */
export interface TaskOut {
  id: string;
  status: 'running' | 'finished' | 'failed';
  task: string;
  requeued?: number;
  [extra: string]: unknown;
}
