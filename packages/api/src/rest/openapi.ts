// The OpenAPI document of the REST bridge. trpc-to-openapi generates paths, parameters and
// schemas from the procedures; this module completes what it cannot express (success statuses,
// the real error responses, rate-limit headers, examples, `security: []`) from the procedures'
// own meta and from what the transport answers, so the document has one source: the code.
import type {
  HeaderObject,
  MediaTypeObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
  TagObject,
} from 'openapi3-ts/oas31';
import {
  forEachOpenApiProcedure,
  generateOpenApiDocument,
  getInputOutputParsers,
  type OpenApiMethod,
  type OpenApiRouter,
} from 'trpc-to-openapi';
import type { Meta, ProcedureErrorStatus } from '../trpc/trpc.ts';

const TAGS = [
  { name: 'auth', description: 'Accounts and access tokens: register, log in, the current user.' },
  {
    name: 'products',
    description:
      'The catalog: anyone reads it (cached); admins create, change and remove products.',
  },
  {
    name: 'orders',
    description:
      'Placing orders (accepted at once, fulfilled by the workers), reading and cancelling them.',
  },
  { name: 'users', description: 'User management for admins.' },
] as const satisfies readonly TagObject[];

/** The sections of the document; a route names one (rest/operation.ts). */
export type Tag = (typeof TAGS)[number]['name'];

const SECURITY_SCHEME = 'Authorization';

const OPERATION_KEY = {
  GET: 'get',
  POST: 'post',
  PATCH: 'patch',
  PUT: 'put',
  DELETE: 'delete',
} as const satisfies Record<OpenApiMethod, keyof PathItemObject>;

type ErrorStatus = 400 | ProcedureErrorStatus | 408 | 413 | 415 | 431 | 500;

/** Answered by the HTTP server itself (http/client-errors.ts, or a failing limiter): no RateLimit headers. */
const BEFORE_LIMITS: ReadonlySet<ErrorStatus> = new Set([408, 431, 500]);

/**
 * Every error the REST side sends, by status: the `code` values that status carries, the name
 * of its schema, and a generic meaning. Codes come from tRPC's mapping (trpc/errors.ts), the body
 * errors of http/errors.ts (PARSE_ERROR, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, BAD_REQUEST),
 * the JSON-depth check in rest.ts, trpc-to-openapi's 415 for a non-JSON content type, and the
 * rate limiters (TOO_MANY_REQUESTS).
 */
const ERRORS: Record<ErrorStatus, { schema: string; codes: string[]; description: string }> = {
  400: {
    schema: 'BadRequestError',
    codes: ['BAD_REQUEST'],
    description: 'Invalid input: `issues` lists each rejected field',
  },
  401: {
    schema: 'UnauthorizedError',
    codes: ['UNAUTHORIZED'],
    description:
      'Missing, malformed, invalid or expired access token, or its user no longer exists',
  },
  403: { schema: 'ForbiddenError', codes: ['FORBIDDEN'], description: 'Not allowed for this role' },
  404: { schema: 'NotFoundError', codes: ['NOT_FOUND'], description: 'Not found' },
  409: { schema: 'ConflictError', codes: ['CONFLICT'], description: 'Conflict' },
  408: {
    schema: 'RequestTimeoutError',
    codes: ['TIMEOUT'],
    description:
      'The request did not arrive within HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS',
  },
  413: {
    schema: 'PayloadTooLargeError',
    codes: ['PAYLOAD_TOO_LARGE'],
    description: 'The body is larger than BODY_LIMIT_BYTES',
  },
  415: {
    schema: 'UnsupportedMediaTypeError',
    codes: ['UNSUPPORTED_MEDIA_TYPE'],
    description: 'The body is not `application/json`, or not in UTF-8',
  },
  431: {
    schema: 'RequestHeaderFieldsTooLargeError',
    codes: ['REQUEST_HEADER_FIELDS_TOO_LARGE'],
    description: 'The request line and headers are larger than the server accepts (16 KB)',
  },
  422: {
    schema: 'UnprocessableContentError',
    codes: ['UNPROCESSABLE_CONTENT'],
    description: 'Unprocessable content',
  },
  429: {
    schema: 'TooManyRequestsError',
    codes: ['TOO_MANY_REQUESTS'],
    description: 'Too many requests from this client address; wait `Retry-After` seconds',
  },
  500: {
    schema: 'InternalServerError',
    codes: ['INTERNAL_SERVER_ERROR'],
    description: 'Unexpected failure (details are logged with the request id, never sent)',
  },
};

/** A body that is not JSON at all is PARSE_ERROR; so a 400 of a body-carrying route has two codes. */
const BODY_BAD_REQUEST = {
  schema: 'BadBodyError',
  codes: ['BAD_REQUEST', 'PARSE_ERROR'],
  description: 'Invalid input (`issues` lists each rejected field), or a body that is not JSON',
};

const ERROR_EXAMPLES: Record<ErrorStatus, string> = {
  400: 'Input validation failed',
  401: 'Authentication required: send Authorization: Bearer <token> (from POST /auth/login)',
  403: 'You are not allowed to do this',
  404: 'Not found',
  409: 'Conflict',
  408: 'The request took too long to arrive',
  413: 'Request body is too large',
  415: 'Content-Type must be application/json',
  431: 'Request headers are too large',
  422: 'This Idempotency-Key was already used with a different request',
  429: 'Too many requests; retry in 42 s',
  500: 'Internal server error',
};

const VALIDATION_EXAMPLE = {
  code: 'BAD_REQUEST',
  message: 'Input validation failed',
  issues: [
    {
      code: 'too_small',
      path: ['items', 0, 'quantity'],
      message: 'must be at least 1',
      origin: 'number',
      minimum: 1,
      inclusive: true,
    },
  ],
};

const ref = (kind: 'schemas' | 'headers', name: string): ReferenceObject => ({
  $ref: `#/components/${kind}/${name}`,
});

function errorSchema(codes: string[], withIssues: boolean): SchemaObject {
  return {
    type: 'object',
    properties: {
      code: { type: 'string', enum: codes, description: 'Stable, machine-readable error code' },
      message: { type: 'string', description: 'What went wrong, for people' },
      ...(withIssues
        ? {
            issues: {
              type: 'array',
              description: 'Present on validation errors: one entry per rejected field',
              items: ref('schemas', 'ValidationIssue'),
            },
          }
        : {}),
    },
    required: ['code', 'message'],
    additionalProperties: false,
  };
}

const VALIDATION_ISSUE: SchemaObject = {
  type: 'object',
  description:
    'One rejected input field, as zod reports it; issue kinds add details (e.g. `minimum`, `origin`, `format`, `keys`).',
  properties: {
    code: { type: 'string', description: 'zod issue code, e.g. `too_small`, `invalid_type`' },
    path: {
      type: 'array',
      description: 'Where in the input: keys and array indexes',
      items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    },
    message: { type: 'string' },
  },
  required: ['code', 'path', 'message'],
  additionalProperties: true,
};

const integerHeader = (description: string): HeaderObject => ({
  description,
  required: true,
  schema: { type: 'integer', minimum: 0 },
  example: 42,
});

const HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': integerHeader(
    'Requests allowed in the current window of the limit that applies',
  ),
  'RateLimit-Remaining': integerHeader('Requests left in the current window'),
  'RateLimit-Reset': integerHeader('Seconds until the window resets'),
  'Retry-After': integerHeader('Seconds to wait before retrying'),
};

const RATE_LIMIT_HEADERS = Object.fromEntries(
  ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'].map((name) => [
    name,
    ref('headers', name),
  ]),
);

export function isOpenApiMethod(method: string): method is OpenApiMethod {
  return Object.hasOwn(OPERATION_KEY, method);
}

/** Methods whose body the bridge reads (trpc-to-openapi ignores bodies of GET and DELETE). */
export function carriesBody(method: OpenApiMethod): boolean {
  return method !== 'GET' && method !== 'DELETE';
}

function errorResponse(
  status: ErrorStatus,
  description: string,
  withBody: boolean,
): ResponseObject {
  const kind = status === 400 && withBody ? BODY_BAD_REQUEST : ERRORS[status];
  return {
    description,
    // These are answered before the per-IP limiter set any header (a 500 may be its own failure).
    ...(BEFORE_LIMITS.has(status)
      ? {}
      : {
          headers:
            status === 429
              ? { ...RATE_LIMIT_HEADERS, 'Retry-After': ref('headers', 'Retry-After') }
              : RATE_LIMIT_HEADERS,
        }),
    content: {
      'application/json': {
        schema: ref('schemas', kind.schema),
        example:
          status === 400
            ? VALIDATION_EXAMPLE
            : { code: ERRORS[status].codes[0], message: ERROR_EXAMPLES[status] },
      },
    },
  };
}

/** A JSON value as the bridge sends it (Dates become ISO strings). */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The ResponsesObject type lets any value in (for extensions): check what is there. */
function isResponseObject(value: unknown): value is ResponseObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    'description' in value &&
    typeof value.description === 'string'
  );
}

function isReference(value: object): value is ReferenceObject {
  return '$ref' in value;
}

/** A boolean in a query string is the text `true` or `false`: say so, once. */
function queryText(schema: SchemaObject | ReferenceObject): SchemaObject | ReferenceObject {
  if (isReference(schema)) return schema;
  if (schema.type === 'boolean') return { type: 'string', enum: ['true', 'false'] };
  if (!schema.anyOf) return schema;
  const options = schema.anyOf.map(queryText);
  const distinct = [...new Map(options.map((o) => [JSON.stringify(o), o])).values()];
  const [only] = distinct;
  if (distinct.length === 1 && only) {
    const { anyOf: _anyOf, ...rest } = schema;
    return { ...rest, ...only };
  }
  return { ...schema, anyOf: distinct };
}

function withExamples(
  parameters: OperationObject['parameters'],
  input: Record<string, unknown>,
): OperationObject['parameters'] {
  return parameters?.map((parameter) => {
    if (isReference(parameter)) return parameter;
    const result: ParameterObject = { ...parameter };
    if (result.in === 'query' && result.schema) result.schema = queryText(result.schema);
    const example = input[result.name];
    if (example !== undefined) result.example = asJson(example);
    return result;
  });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null
    ? Object.fromEntries(Object.entries(value))
    : {};
}

function successDescription(status: number): string {
  if (status === 201) return 'Created';
  if (status === 202) return 'Accepted: processing continues after the response';
  return 'OK';
}

export interface OpenApiOptions {
  /** Where clients reach the API (PUBLIC_URL): the document's only server. */
  publicUrl: string;
}

/** The complete document, from the router's procedures; throws if their meta is inconsistent. */
export function buildOpenApiDocument(
  router: OpenApiRouter,
  options: OpenApiOptions,
): OpenAPIObject {
  const generated = generateOpenApiDocument(router, {
    title: 'Chronicle REST API',
    version: '1.0.0',
    baseUrl: options.publicUrl,
    description: [
      'The REST bridge of Chronicle, an order backend: a product catalog, orders fulfilled',
      'asynchronously against stock, and accounts with roles (USER, ADMIN).',
      '',
      'Authenticate with `Authorization: Bearer <token>` (the token comes from `POST /auth/login`).',
      'Bodies are JSON (UTF-8). Every error has the shape `{ code, message, issues? }`; `issues`',
      'appears on validation errors. Unknown routes answer 404 `NOT_FOUND` in the same shape.',
      'Every answer of these operations (a 500 may not) carries `RateLimit-Limit`, `RateLimit-Remaining`',
      'and `RateLimit-Reset`; a 429 also carries `Retry-After`.',
    ].join('\n'),
    securitySchemes: {
      [SECURITY_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from `POST /auth/login`',
      },
    },
    contact: { name: 'Chronicle maintainers' },
  });
  const paths = generated.paths ?? {};
  const usedTags = new Set<string>();

  forEachOpenApiProcedure<Meta>(router._def.procedures, ({ path: name, procedure, meta }) => {
    const { method, path, protect = true, tags = [] } = meta.openapi;
    const operation = paths[path]?.[OPERATION_KEY[method]];
    const where = `${name} (${method} ${path})`;
    if (!operation) throw new Error(`${where}: not in the generated document`);
    if (!meta.openapi.description) throw new Error(`${where}: meta.openapi.description is missing`);
    for (const tag of tags) usedTags.add(tag);

    const { inputParser, outputParser } = getInputOutputParsers(procedure);
    const input = inputParser.safeParse(meta.example.input);
    if (!input.success)
      throw new Error(`${where}: example input is invalid: ${input.error.message}`);
    const output = outputParser?.safeParse(meta.example.output);
    if (!output?.success) throw new Error(`${where}: example output is invalid`);
    const exampleInput = record(meta.example.input);

    const status = meta.successStatus;
    const generatedSuccess: unknown = operation.responses?.['200'];
    if (!isResponseObject(generatedSuccess)) throw new Error(`${where}: no 200`);
    const success: ResponseObject = {
      ...generatedSuccess,
      description: meta.openapi.successDescription ?? successDescription(status),
      headers: { ...generatedSuccess.headers, ...RATE_LIMIT_HEADERS },
      content: Object.fromEntries(
        Object.entries(generatedSuccess.content ?? {}).map(
          ([type, media]): [string, MediaTypeObject] => [
            type,
            { ...media, example: asJson(meta.example.output) },
          ],
        ),
      ),
    };

    const withBody = carriesBody(method);
    const own = meta.errors;
    const hasInput = operation.parameters !== undefined || operation.requestBody !== undefined;
    const errors: [ErrorStatus, string | undefined][] = [
      [
        400,
        hasInput || withBody ? (withBody ? BODY_BAD_REQUEST : ERRORS[400]).description : undefined,
      ],
      [401, own[401] ?? (protect ? ERRORS[401].description : undefined)],
      [403, own[403]],
      [404, own[404]],
      [409, own[409]],
      [413, withBody ? ERRORS[413].description : undefined],
      [415, withBody ? ERRORS[415].description : undefined],
      [422, own[422]],
      [408, ERRORS[408].description],
      [431, ERRORS[431].description],
      [429, own[429] ? `${ERRORS[429].description}, or ${own[429]}` : ERRORS[429].description],
      [500, ERRORS[500].description],
    ];

    if (operation.requestBody && !isReference(operation.requestBody)) {
      const body = Object.fromEntries(
        Object.entries(exampleInput).filter(([key]) => !path.includes(`{${key}}`)),
      );
      // trpc-to-openapi rebuilds a refined input (updateProductInput's "at least one field") as a
      // plain z.object to drop its path parameters, so the body schema loses the strictness the
      // procedure enforces: restore it from the procedure's own input.
      const strict = inputParser.def.catchall?._zod.def.type === 'never';
      const { minBodyFields } = meta;
      if (minBodyFields !== undefined) {
        // The claim is checked like the example: the path parameters alone must be refused.
        const pathOnly = Object.fromEntries(
          Object.entries(exampleInput).filter(([key]) => path.includes(`{${key}}`)),
        );
        if (inputParser.safeParse(pathOnly).success)
          throw new Error(`${where}: minBodyFields is set, but an empty body is accepted`);
      }
      operation.requestBody.content = Object.fromEntries(
        Object.entries(operation.requestBody.content).map(([type, media]) => [
          type,
          {
            ...media,
            ...(media.schema && !isReference(media.schema)
              ? {
                  schema: {
                    ...media.schema,
                    ...(strict ? { additionalProperties: false } : {}),
                    ...(minBodyFields === undefined ? {} : { minProperties: minBodyFields }),
                  },
                }
              : {}),
            example: asJson(body),
          },
        ]),
      );
    }
    const parameters = withExamples(operation.parameters, exampleInput);
    if (parameters) operation.parameters = parameters;
    operation.security = protect ? [{ [SECURITY_SCHEME]: [] }] : [];
    operation.responses = {
      [String(status)]: success,
      ...Object.fromEntries(
        errors.flatMap(([code, description]) =>
          description === undefined
            ? []
            : [[String(code), errorResponse(code, description, withBody)]],
        ),
      ),
    };
  });

  const unknownTags = [...usedTags].filter((tag) => !TAGS.some((known) => known.name === tag));
  if (unknownTags.length > 0)
    throw new Error(`Tags without a description: ${unknownTags.join(', ')}`);

  // trpc-to-openapi's own error schemas (`error.*`) are referenced only by the responses replaced above.
  const schemas = Object.fromEntries(
    Object.entries(generated.components?.schemas ?? {}).filter(
      ([key]) => !key.startsWith('error.'),
    ),
  );
  const errorSchemas = Object.fromEntries(
    [BODY_BAD_REQUEST, ...Object.values(ERRORS)].map((kind) => [
      kind.schema,
      errorSchema(kind.codes, kind.codes.includes('BAD_REQUEST')),
    ]),
  );
  return {
    ...generated,
    servers: [{ url: options.publicUrl, description: 'This deployment (PUBLIC_URL)' }],
    tags: TAGS.filter((tag) => usedTags.has(tag.name)),
    paths,
    components: {
      ...generated.components,
      schemas: { ...schemas, ValidationIssue: VALIDATION_ISSUE, ...errorSchemas },
      headers: HEADERS,
    },
  };
}
