/**
 * EventBridge Scheduler, locally: each schedule declaration becomes a croner job in its own
 * timezone that invokes the handler, and any schedule can be fired on demand.
 */
import type { ScheduledEvent } from '../../shared/scheduled-event.js';
import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import type { ScheduledFunction } from '../../shared/functions.js';
import { ACCOUNT_ID, REGION, invoke } from './invoke.js';
import { errorMessage, type Log } from './log.js';

/**
 * What a scheduled handler receives: the schedule's context attributes, which the stack passes
 * as the target input (<aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
 * <aws.scheduler.execution-id>, <aws.scheduler.attempt-number>).
 */
export type { ScheduledEvent };

export const scheduledEventOf = (f: ScheduledFunction, at: Date): ScheduledEvent => ({
  scheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT_ID}:schedule/default/${f.name}`,
  scheduledTime: `${at.toISOString().slice(0, 19)}Z`,
  executionId: randomBytes(8).toString('hex'),
  attemptNumber: '1',
});

export type FireResult =
  | { schedule: string; ok: true; scheduledTime: string; durationMs: number; result: unknown }
  | { schedule: string; ok: false; scheduledTime: string; durationMs: number; error: string };

export interface Scheduler {
  names: string[];
  /** Runs one schedule now and reports how it went; undefined if no such schedule. */
  fire(name: string): Promise<FireResult | undefined>;
  stop(): void;
}

export interface SchedulerOptions {
  functions: ScheduledFunction[];
  /** Start the cron jobs; false still allows firing on demand. */
  cron: boolean;
  log: Log;
}

export const startScheduler = ({ functions, cron, log }: SchedulerOptions): Scheduler => {
  const run = async (f: ScheduledFunction, at: Date): Promise<FireResult> => {
    const event = scheduledEventOf(f, at);
    const started = Date.now();
    try {
      const result = await invoke(f, event);
      log.info(`schedule ${f.name} ran (${Date.now() - started} ms)`);
      return { schedule: f.name, ok: true, scheduledTime: event.scheduledTime, durationMs: Date.now() - started, result };
    } catch (error) {
      log.error(`schedule ${f.name} failed`, error);
      return { schedule: f.name, ok: false, scheduledTime: event.scheduledTime, durationMs: Date.now() - started, error: errorMessage(error) };
    }
  };

  const jobs = (cron ? functions : []).map((f) => {
    // mode '5-part': the declaration promises five fields; anything else is a mistake to surface.
    const job = new Cron(f.cron, { timezone: f.timezone, mode: '5-part' }, (self: Cron) => {
      void run(f, self.currentRun() ?? new Date());
    });
    log.info(`schedule ${f.name} (${f.cron}, ${f.timezone}): next run ${job.nextRun()?.toISOString()}`);
    return job;
  });

  return {
    names: functions.map((f) => f.name),
    fire: async (name) => {
      const f = functions.find((s) => s.name === name);
      return f ? run(f, new Date()) : undefined;
    },
    stop: () => jobs.forEach((job) => job.stop()),
  };
};
