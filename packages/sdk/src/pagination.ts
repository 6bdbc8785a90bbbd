import { OutreachError } from './errors';

/** The wire shape of every paged list. Short fixed lists (steps) may leave out `next_cursor`. */
export interface ListResponse<T> {
  items: T[];
  next_cursor?: string | null;
}

/** Fetches the page that starts at `cursor` (`undefined` = the first page). */
export type PageFetcher<T> = (cursor: string | undefined) => Promise<ListResponse<T>>;

/** One page of a list, with a way to the next one. `for await` over a page walks every later item too. */
export class Page<T> implements AsyncIterable<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
  readonly #fetchPage: PageFetcher<T>;

  constructor(body: ListResponse<T>, fetchPage: PageFetcher<T>) {
    this.items = body.items;
    this.next_cursor = body.next_cursor ?? null;
    this.#fetchPage = fetchPage;
  }

  hasNextPage(): boolean {
    return this.next_cursor !== null && this.next_cursor !== '';
  }

  /** The following page; throws if there is none (check `hasNextPage()` first). */
  async getNextPage(): Promise<Page<T>> {
    if (!this.hasNextPage()) {
      throw new OutreachError('No next page: check hasNextPage() before calling getNextPage()');
    }
    return new Page(await this.#fetchPage(this.next_cursor ?? undefined), this.#fetchPage);
  }

  /** This page, then every following one. */
  async *iterPages(): AsyncGenerator<Page<T>, void, undefined> {
    let page: Page<T> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page; // the last page is yielded too, never returned
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.iterPages()) {
      for (const item of page.items) yield item;
    }
  }
}

/**
 * What `list()` returns. `await` it for the first page; `for await (const item of …)` for every
 * item across all pages; `.iterPages()` for page after page. Nothing is fetched until one of these
 * is used, and the first page is fetched once however many times it is awaited.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetchPage: PageFetcher<T>;
  #first: Promise<Page<T>> | undefined;

  constructor(fetchPage: PageFetcher<T>) {
    this.#fetchPage = fetchPage;
  }

  #page(): Promise<Page<T>> {
    this.#first ??= this.#fetchPage(undefined).then((body) => new Page(body, this.#fetchPage));
    return this.#first;
  }

  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is awaited like a promise on purpose
  then<R1 = Page<T>, R2 = never>(
    onfulfilled?: ((value: Page<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#page().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<T> | R> {
    return this.#page().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<T>> {
    return this.#page().finally(onfinally);
  }

  async *iterPages(): AsyncGenerator<Page<T>, void, undefined> {
    yield* (await this.#page()).iterPages();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    yield* await this.#page();
  }

  get [Symbol.toStringTag](): string {
    return 'PagePromise';
  }
}
