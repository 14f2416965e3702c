/**
 * Daily reminders: one outbox message per enrolled volunteer for each published activity
 * starting in the next 24 hours. The outbox refuses a second message with the same dedupe key,
 * so running twice sends nothing twice; cancelled activities are not published, so they remind
 * no one.
 */
import { reminderWindow } from '../domain/activities.js';
import { CITY_ID } from '../domain/access.js';
import { listActivitiesUnder } from '../data/activities.js';
import { listEnrolled } from '../data/enrollments.js';
import { enqueueNotification } from '../data/notifications.js';

export const sendReminders = async (now = new Date()) => {
  const window = reminderWindow(now);
  let activities = 0;
  let queued = 0;
  let skipped = 0;
  let cursor: string | undefined;
  do {
    const page = await listActivitiesUnder({ orgUnitId: CITY_ID, from: window.from, to: window.to, limit: 100, cursor });
    for (const activity of page.items.filter((a) => a.status === 'published' && a.startsAt >= window.from)) {
      activities++;
      let enrolledCursor: string | undefined;
      do {
        const enrolled = await listEnrolled(activity, 100, enrolledCursor);
        const results = await Promise.all(
          // An erased volunteer keeps a place in an activity they checked into early, not a reminder.
          enrolled.items.filter((enrollment) => !enrollment.volunteerErased).map((enrollment) =>
            enqueueNotification({
              dedupeKey: `activity-reminder#${activity.id}#${enrollment.volunteerId}#${activity.startsAt}`,
              channel: 'wechat',
              recipientVolunteerId: enrollment.volunteerId,
              template: 'activity-reminder',
              params: { title: activity.title, startsAt: activity.startsAt, location: activity.location.name },
              subject: { type: 'activity', id: activity.id },
            }),
          ),
        );
        queued += results.filter(Boolean).length;
        skipped += results.filter((r) => !r).length;
        enrolledCursor = enrolled.nextCursor ?? undefined;
      } while (enrolledCursor);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { activities, queued, skipped, window };
};
