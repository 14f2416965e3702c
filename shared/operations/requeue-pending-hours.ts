/**
 * Sends hour records that have waited too long for a decision back to verification. A record
 * is written before its message is sent; if the send failed, this finds it. Verification is
 * idempotent, so a record whose message was merely slow is not harmed by a second one.
 */
import { listPendingBefore } from '../data/hour-records.js';
import { sendToQueue } from '../data/queues.js';

export const STALE_AFTER_MINUTES = 10;

export const requeuePendingHours = async (now = new Date()) => {
  const before = new Date(now.getTime() - STALE_AFTER_MINUTES * 60_000).toISOString();
  let requeued = 0;
  let cursor: string | undefined;
  do {
    const page = await listPendingBefore(before, 100, cursor);
    await Promise.all(page.items.map((record) => sendToQueue('hourVerification', { hourRecordId: record.id })));
    requeued += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { requeued, before };
};
