/**
 * The shape every light client here shares with the AWS SDK: `client.send(new XCommand(input))`.
 * Code reads like SDK code, and handler tests stub `send` with aws-sdk-client-mock as they would
 * an SDK client (it stubs the `send` of any object and matches commands by class).
 */
import { callAws, type AwsService } from './request.js';

export abstract class JsonCommand<Input, Output> {
  /** The operation's name, as in X-Amz-Target. */
  abstract readonly operation: string;
  /**
   * Whether sending it twice does what sending it once does; only then is it sent again after
   * an answer was lost (a timeout, a reset connection). Writes say no unless they prove otherwise.
   */
  readonly idempotent: boolean = false;
  /** Type only: what `send` resolves to. */
  declare readonly outputType?: Output;

  constructor(readonly input: Input) {}

  /** The request document; the input as it is unless a command converts it. */
  toRequest(): unknown {
    return this.input;
  }

  /** The answer as the caller sees it. */
  fromResponse(document: Record<string, unknown>): Output {
    return document as Output;
  }
}

export interface ClientHooks {
  /** May add to the request document (the data layer asks DynamoDB for consumed capacity). */
  beforeSend?(operation: string, request: Record<string, unknown>): Record<string, unknown>;
  /** Sees every answer, failed ones too (the benchmark counts requests and capacity). */
  afterSend?(operation: string, answer: { document?: Record<string, unknown>; error?: unknown }): void;
}

export class JsonClient {
  constructor(
    readonly service: AwsService,
    private readonly hooks: ClientHooks = {},
  ) {}

  /**
   * The client class of one service: `class KmsClient extends JsonClient.of(KMS) {}`. A class per
   * service (not one shared class) so handler tests can stub each service's clients by class.
   */
  static of(service: AwsService) {
    return class extends JsonClient {
      constructor(hooks?: ClientHooks) {
        super(service, hooks);
      }
    };
  }

  async send<Input, Output>(command: JsonCommand<Input, Output>): Promise<Output> {
    const request = command.toRequest() as Record<string, unknown>;
    const { beforeSend, afterSend } = this.hooks;
    let document: Record<string, unknown>;
    try {
      document = await callAws(this.service, command.operation, beforeSend ? beforeSend(command.operation, request) : request, {
        idempotent: command.idempotent,
      });
    } catch (error) {
      afterSend?.(command.operation, { error });
      throw error;
    }
    afterSend?.(command.operation, { document });
    return command.fromResponse(document);
  }
}
