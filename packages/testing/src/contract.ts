// Checks REST responses against the OpenAPI document the API under test serves: the status must
// be one the operation declares, and a JSON body must match that response's schema. The test
// HTTP helpers call it on every response, so every REST call any test makes is a contract test.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { openApiPathPattern } from '@chronicle/core';

export interface ObservedResponse {
  method: string;
  /** Path without the query string, as sent (`/product/0190…`). */
  path: string;
  status: number;
  contentType: string | null;
  /** The parsed JSON body, or undefined when the body was not JSON. */
  json: unknown;
}

const responseObject = z.looseObject({
  content: z.record(z.string(), z.looseObject({ schema: z.unknown().optional() })).optional(),
});
const operationObject = z.looseObject({
  operationId: z.string().optional(),
  responses: z.record(z.string(), responseObject),
});
const document = z.looseObject({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface Operation {
  name: string;
  pattern: RegExp;
  method: string;
  responses: Map<string, { json: ValidateFunction | undefined; hasContent: boolean }>;
}

export interface Contract {
  /** Problems with `response` (empty when it keeps the contract, or is not a REST operation). */
  check(response: ObservedResponse): string[];
}

/** Compiles the contract of an OpenAPI 3.1 document (its schemas are JSON Schema 2020-12). */
export function compileContract(source: unknown): Contract {
  const doc = document.parse(source);
  // OpenAPI keywords (example, discriminator…) are not JSON Schema's: not strict.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: 'openapi.json' });
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = openApiPathPattern(template);
    for (const method of METHODS) {
      const parsed = operationObject.safeParse(item[method]);
      if (!parsed.success) continue;
      const responses = new Map<
        string,
        { json: ValidateFunction | undefined; hasContent: boolean }
      >();
      for (const [status, response] of Object.entries(parsed.data.responses)) {
        const pointer = [
          'paths',
          template,
          method,
          'responses',
          status,
          'content',
          'application/json',
          'schema',
        ]
          .map((part) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1')))
          .join('/');
        const json = response.content?.['application/json']?.schema
          ? ajv.compile({ $ref: `openapi.json#/${pointer}` })
          : undefined;
        responses.set(status, { json, hasContent: response.content !== undefined });
      }
      operations.push({
        name: parsed.data.operationId ?? `${method.toUpperCase()} ${template}`,
        pattern,
        method,
        responses,
      });
    }
  }

  return {
    check(response) {
      const method = response.method.toLowerCase();
      const operation = operations.find(
        (candidate) => candidate.method === method && candidate.pattern.test(response.path),
      );
      if (!operation) return [];
      const status = String(response.status);
      const declared =
        operation.responses.get(status) ??
        operation.responses.get(`${status[0] ?? ''}XX`) ??
        operation.responses.get('default');
      const where = `${response.method} ${response.path} (${operation.name}) → ${status}`;
      if (!declared) {
        return [
          `${where}: status not declared (declared: ${[...operation.responses.keys()].join(', ')})`,
        ];
      }
      if (!declared.json) return [];
      if (!response.contentType?.includes('json') || response.json === undefined) {
        return [`${where}: expected a JSON body, got ${response.contentType ?? 'no content type'}`];
      }
      if (declared.json(response.json)) return [];
      return (declared.json.errors ?? []).map(
        (error) => `${where}: body${error.instancePath} ${error.message ?? 'is invalid'}`,
      );
    },
  };
}

const contracts = new Map<string, Promise<Contract>>();

/** The contract served at `${baseUrl}/openapi.json`, fetched and compiled once per server. */
export function contractOf(baseUrl: string): Promise<Contract> {
  let contract = contracts.get(baseUrl);
  if (!contract) {
    contract = fetch(`${baseUrl}/openapi.json`)
      .then(async (res) => compileContract(await res.json()))
      .catch((error: unknown) => {
        contracts.delete(baseUrl);
        throw error;
      });
    contracts.set(baseUrl, contract);
  }
  return contract;
}

/** Throws when `response`, received from the server at `baseUrl`, breaks its documented contract. */
export async function assertContract(baseUrl: string, response: ObservedResponse): Promise<void> {
  const problems = (await contractOf(baseUrl)).check(response);
  if (problems.length > 0) {
    throw new Error(`The response breaks the OpenAPI contract:\n${problems.join('\n')}`);
  }
}
