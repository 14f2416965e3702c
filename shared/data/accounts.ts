/**
 * Login accounts, their role grants and how people reach them (phone, WeChat openid).
 *
 * Items (docs/data-model.md): the account `ACCOUNT#<id>`/`ACCOUNT` and its grants
 * `ACCOUNT#<id>`/`GRANT#<grantId>` share a partition, so one Query reads an account with its
 * grants. `LOGIN#PHONE#<hmac>` and `LOGIN#WECHAT#<openid>` point at the account; they are put
 * with `attribute_not_exists` in the transaction that creates or binds, so a phone or an openid
 * belongs to one account whatever the concurrency. Every grant change bumps the account's
 * `grantsVersion` under a condition on the version it read, so "already held" checks and the
 * audit's before/after are exact.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import { keyedHash } from '../crypto/keyed-hash.js';
import type { Principal } from '../domain/access.js';
import { type Grant } from '../domain/accounts.js';
import { conflict, notFound } from '../errors.js';
import { recordAudit } from './audit.js';
import { db, failedConditionIndex, isTransactionConflict, table } from './client.js';
import { keys, withoutKeys } from './keys.js';
import { volunteerTakesPart } from './participation.js';
import { volunteerIdByPhone } from './volunteers.js';

export const ACCOUNT = { zh: '账号', en: 'Account' };
export const GRANT = { zh: '角色授权', en: 'Role grant' };

export interface Account {
  id: string;
  /** Normalised mainland mobile, when the account was reached by phone. */
  phone?: string;
  /** A WeChat openid is bound (the openid itself stays in the login item). */
  wechatBound?: boolean;
  /** The volunteer this account is, linked by phone. */
  volunteerId?: string;
  grantsVersion: number;
  createdAt: string;
  /** 'self' (first login) or the admin's account id / subject. */
  createdBy: string;
}

export interface AccountWithGrants {
  account: Account;
  grants: Grant[];
}

const phoneHashOf = (phone: string) => keyedHash('phone', phone);

/** An account and its grants, in one strongly consistent Query; undefined if there is none. */
export const findAccount = async (id: string): Promise<AccountWithGrants | undefined> => {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': keys.accountPk(id) },
      ConsistentRead: true,
    }),
  );
  const items = out.Items ?? [];
  const accountItem = items.find((i) => i.sk === keys.account(id).sk);
  if (!accountItem) return undefined;
  const grants = items
    .filter((i) => String(i.sk).startsWith(keys.grantPrefix))
    .map((i) => {
      const { accountId: _accountId, ...grant } = withoutKeys(i);
      return grant as unknown as Grant;
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return { account: withoutKeys(accountItem) as unknown as Account, grants };
};

export const getAccount = async (id: string) => {
  const found = await findAccount(id);
  if (!found) throw notFound(ACCOUNT);
  return found;
};

const loginTarget = async (key: { pk: string; sk: string }) => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
  return out.Item?.accountId as string | undefined;
};

export const accountIdByPhone = async (phone: string) => loginTarget(keys.phoneLogin(await phoneHashOf(phone)));
export const accountIdByOpenid = async (openid: string) => loginTarget(keys.wechatLogin(openid));

/** The volunteer registered with this phone and their org node (for the grant's anchor). */
export const volunteerLinkFor = async (phone: string): Promise<{ volunteerId: string; orgUnitId: string } | undefined> => {
  const volunteerId = await volunteerIdByPhone(phone);
  if (!volunteerId) return undefined;
  // Only the node: no personal data is read (or decrypted) for this.
  const out = await db.send(
    new GetCommand({
      TableName: table(),
      Key: keys.volunteer(volunteerId),
      ProjectionExpression: '#id, #org',
      ExpressionAttributeNames: { '#id': 'id', '#org': 'orgUnitId' },
    }),
  );
  return out.Item ? { volunteerId, orgUnitId: out.Item.orgUnitId as string } : undefined;
};

const grantPut = (accountId: string, grant: Grant) => ({
  Put: {
    TableName: table(),
    Item: { ...keys.accountGrant(accountId, grant.id), type: 'Grant', accountId, ...grant },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** The phone still belongs to a volunteer whose personal data is being erased at their request. */
const beingErased = () =>
  conflict({ zh: '您的个人信息正在按申请删除，请稍后再登录', en: 'Your personal data is being erased as you asked; log in again shortly' });

const volunteerGrant = (link: { volunteerId: string; orgUnitId: string }, now: string): Grant => ({
  id: ulid(),
  role: 'volunteer',
  scope: link.volunteerId,
  orgUnitId: link.orgUnitId,
  grantedAt: now,
  grantedBy: 'system',
});

/**
 * Creates an account at first login, bound to the phone and/or openid, linked to the volunteer
 * with that phone. Undefined when another request bound the phone or openid first (the caller
 * reads that account instead).
 */
const createLoginAccount = async (input: { phone?: string; openid?: string; link?: { volunteerId: string; orgUnitId: string } }) => {
  const now = new Date().toISOString();
  const account: Account = {
    id: ulid(),
    ...(input.phone ? { phone: input.phone } : {}),
    ...(input.openid ? { wechatBound: true } : {}),
    ...(input.link ? { volunteerId: input.link.volunteerId } : {}),
    grantsVersion: 0,
    createdAt: now,
    createdBy: 'self',
  };
  const grants = input.link ? [volunteerGrant(input.link, now)] : [];
  const loginPut = (key: { pk: string; sk: string }, via: string) => ({
    Put: { TableName: table(), Item: { ...key, type: 'Login', via, accountId: account.id, createdAt: now }, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  const items = [
    // Linking to a volunteer whose data is being erased would leave an account that step 1 of
    // the erasure has already passed: refused (the person logs in again once it has finished).
    ...(input.link ? [volunteerTakesPart(input.link.volunteerId)] : []),
    ...(input.phone ? [loginPut(keys.phoneLogin(await phoneHashOf(input.phone)), 'phone')] : []),
    ...(input.openid ? [loginPut(keys.wechatLogin(input.openid), 'wechat')] : []),
    // The openid stays in the table (never in a view): erasure needs it to delete the login item.
    { Put: { TableName: table(), Item: { ...keys.account(account.id), type: 'Account', ...account, ...(input.openid ? { wechatOpenid: input.openid } : {}) }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ...grants.map((g) => grantPut(account.id, g)),
  ];
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (input.link && failedConditionIndex(error) === 0) throw beingErased();
    // Another first login of the same person won (or is committing): read theirs.
    if (failedConditionIndex(error) >= 0 || isTransactionConflict(error)) return undefined;
    throw error;
  }
  return { account, grants };
};

/**
 * Links an existing account to the volunteer with its phone (the volunteer registered after the
 * account was made): sets volunteerId and adds the volunteer grant, once. A concurrent link wins
 * quietly.
 */
const linkVolunteer = async (found: AccountWithGrants, link: { volunteerId: string; orgUnitId: string }) => {
  const grant = volunteerGrant(link, new Date().toISOString());
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.account(found.account.id),
              UpdateExpression: 'SET volunteerId = :vid, grantsVersion = :next',
              ConditionExpression: 'attribute_not_exists(volunteerId) AND grantsVersion = :seen',
              ExpressionAttributeValues: { ':vid': link.volunteerId, ':seen': found.account.grantsVersion, ':next': found.account.grantsVersion + 1 },
            },
          },
          grantPut(found.account.id, grant),
          volunteerTakesPart(link.volunteerId),
        ],
      }),
    );
  } catch (error) {
    if (failedConditionIndex(error) === 2) throw beingErased();
    if (failedConditionIndex(error) < 0 && !isTransactionConflict(error)) throw error;
  }
};

/** The account that logs in with this phone: found, or created (linked to the volunteer with that phone). */
export const accountForPhone = async (phone: string): Promise<AccountWithGrants> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = await accountIdByPhone(phone);
    if (id) {
      const found = await getAccount(id);
      if (found.account.volunteerId) return found;
      const link = await volunteerLinkFor(phone);
      if (!link) return found;
      await linkVolunteer(found, link);
      return getAccount(id);
    }
    const created = await createLoginAccount({ phone, link: await volunteerLinkFor(phone) });
    if (created) return created;
  }
  throw conflict({ zh: '账号正在创建，请重试', en: 'The account is being created; retry' });
};

/** The account that logs in with this WeChat openid: found, or created. */
export const accountForOpenid = async (openid: string): Promise<AccountWithGrants> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = await accountIdByOpenid(openid);
    if (id) return getAccount(id);
    const created = await createLoginAccount({ openid });
    if (created) return created;
  }
  throw conflict({ zh: '账号正在创建，请重试', en: 'The account is being created; retry' });
};

/**
 * Binds a WeChat openid to an existing account (the person proved their phone with an SMS code).
 * 409 if the openid already belongs to another account.
 */
export const bindOpenid = async (accountId: string, openid: string) => {
  const existing = await accountIdByOpenid(openid);
  if (existing === accountId) return;
  if (existing) throw conflict({ zh: '该微信已绑定其他账号', en: 'This WeChat user is bound to another account' });
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...keys.wechatLogin(openid), type: 'Login', via: 'wechat', accountId, createdAt: new Date().toISOString() },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: table(),
              Key: keys.account(accountId),
              UpdateExpression: 'SET wechatBound = :true, wechatOpenid = :openid',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':true': true, ':openid': openid },
            },
          },
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw conflict({ zh: '该微信已绑定其他账号', en: 'This WeChat user is bound to another account' });
    if (failed === 1) throw notFound(ACCOUNT);
    if (isTransactionConflict(error)) throw conflict({ zh: '账号正忙，请重试', en: 'The account is busy; retry' });
    throw error;
  }
};

const versionBump = (account: Account) => ({
  Update: {
    TableName: table(),
    Key: keys.account(account.id),
    UpdateExpression: 'SET grantsVersion = :next',
    ConditionExpression: 'attribute_exists(pk) AND grantsVersion = :seen',
    ExpressionAttributeValues: { ':seen': account.grantsVersion, ':next': account.grantsVersion + 1 },
  },
});

const changedConcurrently = () => conflict({ zh: '账号的角色刚被他人修改，请重试', en: 'The account’s roles changed meanwhile; retry' });

/** An admin creates an account for a phone with its first grant; audited in the same transaction. 409 if the phone has an account. */
export const createAccountByAdmin = async (input: { phone: string; grant: Omit<Grant, 'id' | 'grantedAt' | 'grantedBy'>; actor: Principal }) => {
  const now = new Date().toISOString();
  const account: Account = { id: ulid(), phone: input.phone, grantsVersion: 1, createdAt: now, createdBy: input.actor.accountId ?? input.actor.subject };
  const grant: Grant = { id: ulid(), ...input.grant, grantedAt: now, grantedBy: account.createdBy };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...keys.phoneLogin(await phoneHashOf(input.phone)), type: 'Login', via: 'phone', accountId: account.id, createdAt: now },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: table(), Item: { ...keys.account(account.id), type: 'Account', ...account }, ConditionExpression: 'attribute_not_exists(pk)' } },
          grantPut(account.id, grant),
          recordAudit({
            actor: input.actor,
            action: 'account.create',
            target: { type: 'account', id: account.id },
            before: null,
            after: { grants: [grant] },
            orgUnitId: grant.orgUnitId,
          }),
        ],
      }),
    );
  } catch (error) {
    if (failedConditionIndex(error) === 0) throw conflict({ zh: '该手机号已有账号', en: 'An account with this phone already exists' });
    if (isTransactionConflict(error)) throw changedConcurrently();
    throw error;
  }
  return { account, grants: [grant] };
};

/** Adds a grant to an account read at `found`'s version; audited in the same transaction. */
export const addGrant = async (found: AccountWithGrants, input: Omit<Grant, 'id' | 'grantedAt' | 'grantedBy'>, actor: Principal) => {
  const grant: Grant = { id: ulid(), ...input, grantedAt: new Date().toISOString(), grantedBy: actor.accountId ?? actor.subject };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          versionBump(found.account),
          grantPut(found.account.id, grant),
          recordAudit({
            actor,
            action: 'grant.add',
            target: { type: 'account', id: found.account.id },
            before: { grants: found.grants },
            after: { grants: [...found.grants, grant] },
            orgUnitId: grant.orgUnitId,
          }),
        ],
      }),
    );
  } catch (error) {
    if (failedConditionIndex(error) === 0 || isTransactionConflict(error)) throw changedConcurrently();
    throw error;
  }
  return grant;
};

/** Removes a grant from an account read at `found`'s version; audited in the same transaction. */
export const revokeGrant = async (found: AccountWithGrants, grant: Grant, actor: Principal) => {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          versionBump(found.account),
          {
            Delete: {
              TableName: table(),
              Key: keys.accountGrant(found.account.id, grant.id),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          recordAudit({
            actor,
            action: 'grant.revoke',
            target: { type: 'account', id: found.account.id },
            before: { grants: found.grants },
            after: { grants: found.grants.filter((g) => g.id !== grant.id) },
            orgUnitId: grant.orgUnitId,
          }),
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0 || failed === 1 || isTransactionConflict(error)) throw changedConcurrently();
    throw error;
  }
};
