/**
 * A volunteer whose personal data is being erased, or has been, on their request takes part in
 * nothing new. Every write that adds something for a volunteer (a place, a check-in, an hour
 * record, a membership, a consent) carries this check in its transaction, so the database — not
 * an earlier read — decides: erasure marks the volunteer `erasing` before it collects what to
 * remove, and a write committed after that mark fails here.
 */
import { conflict } from '../errors.js';
import { itemAtFailedCondition, table } from './client.js';
import { keys } from './keys.js';

const STILL_TAKING_PART = 'attribute_exists(pk) AND attribute_not_exists(erasedAt) AND attribute_not_exists(erasing)';

/**
 * The transaction item; with `name`, also that the volunteer is still called what the caller read
 * (a copy of the name is being written, and a correction or erasure must not be overtaken).
 */
export const volunteerTakesPart = (volunteerId: string, name?: string) => ({
  ConditionCheck: {
    TableName: table(),
    Key: keys.volunteer(volunteerId),
    ConditionExpression: name === undefined ? STILL_TAKING_PART : `${STILL_TAKING_PART} AND #name = :name`,
    ...(name === undefined ? {} : { ExpressionAttributeNames: { '#name': 'name' }, ExpressionAttributeValues: { ':name': name } }),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  },
});

export const erasedVolunteer = () =>
  conflict({
    zh: '该志愿者的个人信息已应本人申请删除，不能再报名、签到、入队或登记时长',
    en: "The volunteer's personal data was erased at their request; nothing new can be recorded for them",
  });

/** What a failed `volunteerTakesPart` at `index` means: gone (undefined: the caller's 404), erased (409) or renamed meanwhile (409, retry). */
export const whyNotTakingPart = (error: unknown, index: number) => {
  const seen = itemAtFailedCondition(error, index);
  if (!seen) return undefined;
  if (seen.erasedAt || seen.erasing) return erasedVolunteer();
  return conflict({ zh: '志愿者信息刚被修改，请重试', en: "The volunteer's details changed meanwhile; retry" });
};
