/**
 * The asynchronous side: SQS delivers at least once, so the consumers must be idempotent; a
 * message that can never succeed ends in the dead-letter queue; the reminder schedule queues
 * one outbox item per enrolled volunteer, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  addMember,
  api,
  cityAdmin,
  createActivity,
  createTeam,
  createVolunteer,
  decided,
  drained,
  dynamo,
  eventually,
  expectStatus,
  getRecord,
  leaderToken,
  publish,
  rt,
  sqsClient,
  tableName,
  volunteerToken,
  type Activity,
  type HourRecord,
  type Team,
  type Volunteer,
} from './client.js';

const MIN = 60_000;

describe('queues and schedules', () => {
  let sqs: SQSClient;
  let ddb: DynamoDBDocumentClient;
  let admin: string;
  let leader: string;
  let team: Team;
  let activity: Activity;

  const newVolunteer = async () => {
    const v = await createVolunteer(admin, 'nanshan.shekou');
    await addMember(admin, team.id, v.id);
    return v;
  };
  const backFill = async (volunteerId: string, startMinAgo: number, endMinAgo: number) => {
    const now = Date.now();
    const res = await api('/v1/hour-records', {
      token: leader,
      body: {
        volunteerId,
        activityId: activity.id,
        startedAt: new Date(now - startMinAgo * MIN).toISOString(),
        endedAt: new Date(now - endMinAgo * MIN).toISOString(),
      },
    });
    return expectStatus(res, 202, 'back-fill').id as string;
  };
  const hoursOf = async (volunteerId: string) =>
    expectStatus(await api(`/v1/volunteers/${volunteerId}`, { token: await volunteerToken(volunteerId) }), 200).hours as {
      verifiedMinutes: number;
      yearMinutes: number;
    };
  const send = (queueUrl: string, body: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  const bothQueuesDrained = async () => {
    await drained(sqs, rt.queueUrls.hourVerification);
    await drained(sqs, rt.queueUrls.awardTally);
  };

  beforeAll(async () => {
    sqs = sqsClient();
    ddb = dynamo();
    admin = await cityAdmin();
    team = await createTeam(admin, 'nanshan.shekou');
    leader = await leaderToken(team.id);
    activity = await createActivity(leader, {
      teamId: team.id,
      title: '蛇口港春运志愿服务',
      category: 'spring-festival-travel',
      startsAt: new Date(Date.now() - 240 * MIN),
      endsAt: new Date(Date.now() + 60 * MIN),
      capacity: 50,
    });
    await publish(leader, activity.id);
  });

  afterAll(() => {
    sqs?.destroy();
    ddb?.destroy();
  });

  it('counts a verified record once when its message reaches the award-tally queue twice', async () => {
    const volunteer = await newVolunteer();
    const recordId = await backFill(volunteer.id, 90, 30);
    expect(await decided(leader, recordId)).toMatchObject({ status: 'verified', minutes: 60 });
    await eventually(async () => expect(await hoursOf(volunteer.id)).toMatchObject({ verifiedMinutes: 60, yearMinutes: 60 }));
    await bothQueuesDrained();

    await send(rt.queueUrls.awardTally, JSON.stringify({ hourRecordId: recordId }));
    await send(rt.queueUrls.awardTally, JSON.stringify({ hourRecordId: recordId }));
    await drained(sqs, rt.queueUrls.awardTally);

    expect(await hoursOf(volunteer.id)).toMatchObject({ verifiedMinutes: 60, yearMinutes: 60 });
    const ranking = expectStatus(await api('/v1/rankings/volunteers?orgUnitId=nanshan.shekou&limit=100', { token: admin }), 200);
    expect(ranking.items.find((r: { volunteerId: string }) => r.volunteerId === volunteer.id)).toMatchObject({ minutes: 60 });
  });

  it('decides a record once when its message reaches the hour-verification queue several times at once', async () => {
    const volunteer = await newVolunteer();
    const recordId = await backFill(volunteer.id, 100, 55);
    // Two more deliveries of the same message, racing the first.
    await Promise.all([
      send(rt.queueUrls.hourVerification, JSON.stringify({ hourRecordId: recordId })),
      send(rt.queueUrls.hourVerification, JSON.stringify({ hourRecordId: recordId })),
    ]);
    const first = await decided(leader, recordId);
    expect(first).toMatchObject({ status: 'verified', minutes: 45 });
    await bothQueuesDrained();

    const after = await getRecord(leader, recordId);
    expect(after).toMatchObject({ status: 'verified', minutes: 45, decidedAt: first.decidedAt });
    // One decision: the volunteer's ledger moved once.
    const ledger = await ddb.send(new GetCommand({ TableName: tableName(), Key: { pk: `VOL#${volunteer.id}`, sk: 'LEDGER' }, ConsistentRead: true }));
    expect(ledger.Item?.version).toBe(1);
    // And it was tallied once, although verification re-sends verified records to the tally.
    expect(await hoursOf(volunteer.id)).toMatchObject({ verifiedMinutes: 45, yearMinutes: 45 });
  });

  it('verifies only one of two overlapping records submitted at the same moment', async () => {
    const volunteer = await newVolunteer();
    const ids = await Promise.all([backFill(volunteer.id, 120, 60), backFill(volunteer.id, 90, 30)]);
    const records = await Promise.all(ids.map((id) => decided(leader, id)));
    const statuses = records.map((r) => r.status).sort();
    expect(statuses).toEqual(['rejected', 'verified']);
    const rejected = records.find((r) => r.status === 'rejected') as HourRecord;
    expect(rejected.reason).toBe('OVERLAPS_OTHER_RECORD');
    await bothQueuesDrained();
    expect(await hoursOf(volunteer.id)).toMatchObject({ verifiedMinutes: 60 });
  });

  it('does not reject a valid record for overlapping an invalid one submitted at the same moment', async () => {
    // The invalid record lies outside its own activity's window, so it can never be verified;
    // the valid one overlaps it in time. Only a verified record should block another.
    const now = Date.now();
    const longAgo = await createActivity(leader, { teamId: team.id, title: '早已结束的活动', startsAt: new Date(now - 600 * MIN), endsAt: new Date(now - 500 * MIN), capacity: 5 });
    await publish(leader, longAgo.id); // back-fill needs a published activity
    // Eight volunteers at once: each pair races inside the consumer, so one lucky order cannot hide the rule.
    const volunteers = await Promise.all(Array.from({ length: 8 }, () => newVolunteer()));
    const outcomes = await Promise.all(
      volunteers.map(async (volunteer) => {
        const post = async (activityId: string, startMinAgo: number, endMinAgo: number) =>
          expectStatus(
            await api('/v1/hour-records', {
              token: leader,
              body: { volunteerId: volunteer.id, activityId, startedAt: new Date(now - startMinAgo * MIN).toISOString(), endedAt: new Date(now - endMinAgo * MIN).toISOString() },
            }),
            202,
          ).id as string;
        const [invalidId, validId] = await Promise.all([post(longAgo.id, 100, 70), post(activity.id, 90, 60)]);
        const [invalid, valid] = await Promise.all([decided(leader, invalidId), decided(leader, validId)]);
        expect(invalid).toMatchObject({ status: 'rejected', reason: 'OUTSIDE_ACTIVITY_WINDOW' });
        return valid.status === 'verified' ? 'verified' : `${valid.status} ${valid.reason}`;
      }),
    );
    expect(outcomes).toEqual(volunteers.map(() => 'verified'));
  });

  describe('reminders', () => {
    const fire = async () => {
      const res = await api('/_local/schedules/send-reminders', { method: 'POST' });
      const body = expectStatus(res, 200, 'fire send-reminders');
      expect(body).toMatchObject({ schedule: 'send-reminders', ok: true });
      return body.result as { activities: number; queued: number; skipped: number };
    };
    const reminderFor = async (a: Activity, volunteerId: string) =>
      (
        await ddb.send(
          new GetCommand({
            TableName: tableName(),
            Key: { pk: `NOTIFY#activity-reminder#${a.id}#${volunteerId}#${a.startsAt}`, sk: 'NOTIFY' },
            ConsistentRead: true,
          }),
        )
      ).Item;
    /** Outbox items (pending) about one activity. */
    const outboxFor = async (activityId: string) => {
      const found: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      for (let page = 0; page < 100; page++) {
        const out = await ddb.send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': 'OUTBOX#pending' },
            ExclusiveStartKey: start,
          }),
        );
        found.push(...(out.Items ?? []).filter((i) => (i.subject as { id?: string } | undefined)?.id === activityId));
        start = out.LastEvaluatedKey;
        if (!start) return found;
      }
      throw new Error('outbox did not end within 100 pages');
    };
    const signUp = async (a: Activity, v: Volunteer) =>
      expectStatus(await api(`/v1/activities/${a.id}/enrollments`, { token: await volunteerToken(v.id), body: { volunteerId: v.id } }), 201);

    let soon: Activity;
    let cancelled: Activity;
    let later: Activity;
    let enrolled: Volunteer[];
    let waitlisted: Volunteer;
    let cancelledsVolunteer: Volunteer;
    let latersVolunteer: Volunteer;

    beforeAll(async () => {
      // Whatever other tests left within the next 24 h is reminded now, so the counts below are ours.
      await fire();
      const at = (minutes: number) => new Date(Date.now() + minutes * MIN);
      soon = await createActivity(leader, { teamId: team.id, title: '明日红色宣讲', category: 'red-lecture', startsAt: at(120), endsAt: at(180), capacity: 2 });
      cancelled = await createActivity(leader, { teamId: team.id, title: '取消的探访', category: 'holiday-visit', startsAt: at(180), endsAt: at(240), capacity: 5 });
      later = await createActivity(leader, { teamId: team.id, title: '后天义诊', category: 'free-clinic', startsAt: at(30 * 60), endsAt: at(31 * 60), capacity: 5 });
      for (const a of [soon, cancelled, later]) await publish(leader, a.id);
      enrolled = [await newVolunteer(), await newVolunteer()];
      waitlisted = await newVolunteer();
      cancelledsVolunteer = await newVolunteer();
      latersVolunteer = await newVolunteer();
      for (const v of enrolled) expect(await signUp(soon, v)).toMatchObject({ status: 'enrolled' });
      expect(await signUp(soon, waitlisted)).toMatchObject({ status: 'waitlisted' });
      expect(await signUp(cancelled, cancelledsVolunteer)).toMatchObject({ status: 'enrolled' });
      expect(await signUp(later, latersVolunteer)).toMatchObject({ status: 'enrolled' });
      expectStatus(await api(`/v1/activities/${cancelled.id}/cancel`, { method: 'POST', token: leader }), 200);
    });

    it('queues one outbox item per enrolled volunteer of a published activity starting within 24 h', async () => {
      const result = await fire();
      expect(result.queued).toBe(2);
      expect(result.activities).toBeGreaterThanOrEqual(1);
      for (const v of enrolled) {
        expect(await reminderFor(soon, v.id)).toMatchObject({
          recipientVolunteerId: v.id,
          template: 'activity-reminder',
          status: 'pending',
          subject: { type: 'activity', id: soon.id },
        });
      }
      expect(await reminderFor(soon, waitlisted.id), 'waitlisted volunteers are not reminded').toBeUndefined();
      expect(await reminderFor(later, latersVolunteer.id), 'activities beyond 24 h are not reminded yet').toBeUndefined();
      expect(await outboxFor(soon.id)).toHaveLength(2);
    });

    it('adds nothing when fired a second time', async () => {
      const result = await fire();
      expect(result.queued).toBe(0);
      expect(result.skipped).toBeGreaterThanOrEqual(2);
      expect(await outboxFor(soon.id)).toHaveLength(2);
    });

    it('reminds no one of a cancelled activity', async () => {
      expect(await reminderFor(cancelled, cancelledsVolunteer.id)).toBeUndefined();
      expect(await outboxFor(cancelled.id)).toHaveLength(0);
    });
  });

  it('moves a message that always fails to the dead-letter queue after maxReceiveCount receives', async () => {
    const sent = await send(rt.queueUrls.hourVerification, 'not json');
    let dead: { MessageId?: string; Body?: string; ReceiptHandle?: string } | undefined;
    for (const deadline = Date.now() + 45_000; !dead && Date.now() < deadline; ) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: rt.dlqUrls.hourVerification, WaitTimeSeconds: 1, MaxNumberOfMessages: 10, VisibilityTimeout: 1 }),
      );
      dead = out.Messages?.find((m) => m.MessageId === sent.MessageId);
    }
    expect(dead, 'the poison message reached the DLQ').toBeDefined();
    expect(dead!.Body).toBe('not json');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: rt.dlqUrls.hourVerification, ReceiptHandle: dead!.ReceiptHandle }));
    // It left the source queue, and the consumer keeps working.
    await drained(sqs, rt.queueUrls.hourVerification);
    const volunteer = await newVolunteer();
    expect(await decided(leader, await backFill(volunteer.id, 30, 10))).toMatchObject({ status: 'verified', minutes: 20 });
  }, 60_000);

  // Last in the file: when it fails, its message keeps failing for ~10 s on the verification queue.
  it('refuses a back-fill dated in year 9999 at the door, so no record can wait forever for a decision', async () => {
    const volunteer = await newVolunteer();
    const res = await api('/v1/hour-records', {
      token: leader,
      body: { volunteerId: volunteer.id, activityId: activity.id, startedAt: '9999-12-31T00:00:00Z', endedAt: '9999-12-31T01:00:00Z' },
    });
    expectStatus(res, 400, 'back-fill in year 9999');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['startedAt', 'endedAt']));
  });

  it('decides a back-filled record dated later this century as IN_FUTURE', async () => {
    const volunteer = await newVolunteer();
    const res = await api('/v1/hour-records', {
      token: leader,
      body: { volunteerId: volunteer.id, activityId: activity.id, startedAt: '2099-12-31T00:00:00Z', endedAt: '2099-12-31T01:00:00Z' },
    });
    const { id } = expectStatus(res, 202, 'back-fill');
    expect(await decided(leader, id, 15_000)).toMatchObject({ status: 'rejected', reason: 'IN_FUTURE' });
  }, 30_000);
});
