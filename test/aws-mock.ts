/**
 * aws-sdk-client-mock over the light AWS clients (shared/aws): it stubs the `send` of any
 * client and matches commands by class, so tests read as they would against the SDK. Only its
 * types assume SDK clients; this file gives them the shape of ours.
 */
import { mockClient as sdkMockClient } from 'aws-sdk-client-mock';
import type { SinonSpyCall } from 'sinon';
import type { JsonClient, JsonCommand } from '../shared/aws/client.js';
import { AwsError } from '../shared/aws/request.js';

type CommandClass<I, O> = new (input: I) => JsonCommand<I, O>;
type Call<I = any, O = any> = SinonSpyCall<[JsonCommand<I, O>], Promise<O>>;

export interface Behavior<O> {
  resolves(output: Partial<O>): Behavior<O>;
  resolvesOnce(output: Partial<O>): Behavior<O>;
  rejects(error?: unknown): Behavior<O>;
  rejectsOnce(error?: unknown): Behavior<O>;
  callsFake(fake: (input: any) => unknown): Behavior<O>;
  callsFakeOnce(fake: (input: any) => unknown): Behavior<O>;
}

export interface ClientStub {
  on<I, O>(command: CommandClass<I, O>, input?: Partial<I>, strict?: boolean): Behavior<O>;
  onAnyCommand(input?: Record<string, unknown>, strict?: boolean): Behavior<any>;
  commandCalls<I, O>(command: CommandClass<I, O>, input?: Partial<I>, strict?: boolean): Call<I, O>[];
  calls(): Call[];
  call(n: number): Call;
  reset(): ClientStub;
  resetHistory(): ClientStub;
  restore(): void;
}

/** Stubs `send` of a client instance, or of every instance of a client class. */
export const mockClient = (client: JsonClient | (abstract new (...args: never[]) => JsonClient)) => sdkMockClient(client as never) as unknown as ClientStub;

/** An error as a service answers it (ConditionalCheckFailedException, …); `fields` as it sends them. */
export const awsError = (name: string, message = name, fields: Record<string, unknown> = {}, httpStatusCode = 400) =>
  new AwsError(name, message, fields, { httpStatusCode, attempts: 1 });
