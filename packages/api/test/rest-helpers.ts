// Small HTTP helpers for the API's tests.
import { createChronicleClient } from '@chronicle/client';

export interface RestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function rest(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<RestResponse> {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function createChronicleClientForTest(url: string, token?: string) {
  return createChronicleClient({ url, getToken: () => token });
}
