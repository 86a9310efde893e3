// Which order statuses are final, for the server and (generated into its router types) the client.
import { orderStatus } from './order.schema.ts';

/**
 * The statuses an order does not leave by itself: everything but PENDING, so a status added to
 * the enum counts as final unless it is excluded here. CANCELLED may still follow CONFIRMED, but
 * only when someone cancels.
 */
export const finalOrderStatuses = Object.freeze(orderStatus.exclude(['PENDING']).options);
export type FinalOrderStatus = (typeof finalOrderStatuses)[number];
