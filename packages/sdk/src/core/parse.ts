import { InvalidResponseError } from '../errors';

/** A 2xx body as the JSON the spec promises (`undefined` for 204/empty); anything else → `InvalidResponseError`. */
export async function parseJson<T>(response: Response): Promise<T> {
  if (response.status === 204 || response.headers.get('content-length') === '0') return undefined as T;
  const text = await response.text();
  if (text === '') return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/([\w.-]+\+)?json\b/i.test(type)) {
    throw new InvalidResponseError(`Expected a JSON body, got ${type || 'no content type'}`, response, text);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InvalidResponseError('The body is not valid JSON', response, text, { cause: err });
  }
}

export const parseText = (response: Response): Promise<string> => response.text();

export const parseStream = async (response: Response): Promise<ReadableStream<Uint8Array>> => {
  if (!response.body) throw new InvalidResponseError('The response has no body', response, '');
  return response.body as ReadableStream<Uint8Array>;
};
