/**
 * What a scheduled function receives: the stack passes these Scheduler context attributes as
 * the target input, and the local scheduler builds the same object.
 */
export interface ScheduledEvent {
  scheduleArn: string;
  /** ISO 8601 UTC, whole seconds, as Scheduler writes it: 2026-03-22T01:00:00Z. */
  scheduledTime: string;
  executionId: string;
  attemptNumber: string;
}

/** The instant the run stands for: the scheduled time, so a retried run decides the same way. */
export const runTimeOf = (event: Partial<ScheduledEvent> | undefined) => {
  const at = event?.scheduledTime ? new Date(event.scheduledTime) : new Date();
  return Number.isNaN(at.getTime()) ? new Date() : at;
};
