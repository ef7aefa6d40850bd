import { applicationMustGet } from '../application/sql.js';
import { endpointGet } from '../endpoint/sql.js';
import { notFound } from '../errors.js';
import type { Message } from '../message/model.js';
import { messageGet, messageGetMany } from '../message/sql.js';
import type { Page, PageQuery } from '../store/page.js';
import type { Storage } from '../store/port.js';
import type { EndpointMessage, EndpointStats, MessageDestination } from '../delivery/model.js';
import { deliveryListByEndpoint, deliveryListByMessage, deliveryStatsByEndpoint, type EndpointMessageQuery } from '../delivery/sql.js';
import type { Attempt } from './model.js';
import { attemptExpungeContent, attemptGet, attemptList, type AttemptListQuery } from './sql.js';

export type AttemptService = ReturnType<typeof attemptService>;

/**
 * The read side of delivery: attempts, where a message went, endpoint stats.
 * Applications and endpoints are found by id or uid, messages by id or eventId.
 */
export function attemptService(storage: Storage) {
  async function appId(appIdOrUid: string): Promise<string> {
    return (await applicationMustGet(storage, appIdOrUid)).id;
  }
  async function endpointOf(appIdOrUid: string, endpointIdOrUid: string): Promise<{ appId: string; endpointId: string }> {
    const app = await appId(appIdOrUid);
    const endpoint = await endpointGet(storage, app, endpointIdOrUid);
    if (!endpoint) throw notFound('endpoint');
    return { appId: app, endpointId: endpoint.id };
  }
  async function endpointId(appIdOrUid: string, endpointIdOrUid: string): Promise<string> {
    return (await endpointOf(appIdOrUid, endpointIdOrUid)).endpointId;
  }
  async function messageId(appIdOrUid: string, idOrEventId: string): Promise<string> {
    const message = await messageGet(storage, await appId(appIdOrUid), idOrEventId);
    if (!message) throw notFound('message');
    return message.id;
  }

  return {
    async listByEndpoint(appIdOrUid: string, endpointIdOrUid: string, query: AttemptListQuery = {}): Promise<Page<Attempt>> {
      return attemptList(storage, { endpointId: await endpointId(appIdOrUid, endpointIdOrUid) }, query);
    },

    /**
     * The page as listByEndpoint gives it, and the messages its attempts delivered (Svix's
     * `with_msg`; one whose message is gone has no entry), the application looked up once.
     */
    async listByEndpointWithMessages(appIdOrUid: string, endpointIdOrUid: string, query: AttemptListQuery = {}): Promise<{ page: Page<Attempt>; messages: Map<string, Message> }> {
      const { appId: app, endpointId: endpoint } = await endpointOf(appIdOrUid, endpointIdOrUid);
      const page = await attemptList(storage, { endpointId: endpoint }, query);
      return { page, messages: await messageGetMany(storage, app, page.data.map((a) => a.messageId)) };
    },

    async listByMessage(appIdOrUid: string, idOrEventId: string, query: AttemptListQuery & { endpoint?: string } = {}): Promise<Page<Attempt>> {
      const msg = await messageId(appIdOrUid, idOrEventId);
      const ep = query.endpoint === undefined ? undefined : await endpointId(appIdOrUid, query.endpoint);
      return attemptList(storage, { messageId: msg, ...(ep ? { endpointId: ep } : {}) }, query);
    },

    async get(appIdOrUid: string, idOrEventId: string, attemptId: string): Promise<Attempt> {
      const attempt = await attemptGet(storage, await messageId(appIdOrUid, idOrEventId), attemptId);
      if (!attempt) throw notFound('attempt');
      return attempt;
    },

    /** Deletes one attempt's response body and headers (Svix's expunge-content of an attempt). */
    async expungeContent(appIdOrUid: string, idOrEventId: string, attemptId: string): Promise<void> {
      if (!(await attemptExpungeContent(storage, await messageId(appIdOrUid, idOrEventId), attemptId))) throw notFound('attempt');
    },

    /** The messages sent to an endpoint, with their delivery's status (Svix's list-attempted-messages). */
    async attemptedMessages(appIdOrUid: string, endpointIdOrUid: string, query: EndpointMessageQuery = {}): Promise<Page<EndpointMessage>> {
      return deliveryListByEndpoint(storage, await endpointId(appIdOrUid, endpointIdOrUid), query);
    },

    async destinations(appIdOrUid: string, idOrEventId: string, query: PageQuery = {}): Promise<Page<MessageDestination>> {
      return deliveryListByMessage(storage, await messageId(appIdOrUid, idOrEventId), query);
    },

    async endpointStats(appIdOrUid: string, endpointIdOrUid: string, range: { since?: Date; until?: Date } = {}): Promise<EndpointStats> {
      return deliveryStatsByEndpoint(storage, await endpointId(appIdOrUid, endpointIdOrUid), range.since, range.until);
    },
  };
}
