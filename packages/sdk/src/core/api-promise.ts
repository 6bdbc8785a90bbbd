/** What `withResponse()` gives: the parsed body, the raw `Response`, and the server's request id. */
export interface WithResponse<T> {
  data: T;
  response: Response;
  /** `X-Request-Id` of the answer: quote it in bug reports. */
  requestId: string | null;
}

export type ResponseParser<T> = (response: Response) => Promise<T>;

/**
 * What every resource method returns. The request starts at once; `await` it for the parsed
 * body, `.withResponse()` for the body with its `Response` and request id, `.asResponse()` for
 * the raw `Response` with its body unread (nothing is parsed then). Error statuses reject every
 * one of the three with an `APIError` subclass.
 */
export class APIPromise<T> implements PromiseLike<T> {
  readonly #response: Promise<Response>;
  readonly #parse: ResponseParser<T>;
  #parsed: Promise<T> | undefined;

  constructor(response: Promise<Response>, parse: ResponseParser<T>) {
    this.#response = response;
    this.#parse = parse;
    // Rejections are handled by whichever of then/asResponse/withResponse the caller uses.
    response.catch(() => {});
  }

  /** A promise of another shape over the same response (resources use it to post-process). */
  _thenUnwrap<U>(transform: (data: T, response: Response) => U | Promise<U>): APIPromise<U> {
    return new APIPromise(this.#response, async (res) => transform(await this.#parse(res), res));
  }

  /** The raw `Response` (2xx only; its body unread): for headers, streaming, or your own parsing. */
  asResponse(): Promise<Response> {
    return this.#response;
  }

  /** The parsed body together with the `Response` it came in and its request id. */
  async withResponse(): Promise<WithResponse<T>> {
    const [data, response] = await Promise.all([this.#data(), this.#response]);
    return { data, response, requestId: response.headers.get('x-request-id') };
  }

  #data(): Promise<T> {
    this.#parsed ??= this.#response.then((res) => this.#parse(res));
    return this.#parsed;
  }

  // biome-ignore lint/suspicious/noThenProperty: an APIPromise is awaited like a promise on purpose
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#data().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#data().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#data().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'APIPromise';
  }
}
