// Runs Prisma's schema engine compiled to WebAssembly, so migrations never need the native
// engine download. The `.wasm` bytes are instantiated here rather than through the package's
// ESM entry, which would need Node's experimental WebAssembly-module imports.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
} from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

export type SchemaEngine = bindings.SchemaEngine;

let loaded: Promise<void> | undefined;

/** The engine reports a Rust panic's message here before throwing a bare `RuntimeError`. */
const panics = {
  last: undefined as string | undefined,
  set_message(message: string) {
    panics.last = message;
  },
};
Object.assign(globalThis, { PRISMA_WASM_PANIC_REGISTRY: panics });

function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@prisma/schema-engine-wasm');
    const bytes = await readFile(path.join(path.dirname(entry), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bindings,
    });
    bindings.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start;
    if (typeof start === 'function') Reflect.apply(start, undefined, []);
  })();
  return loaded;
}

const PG_CHAR_OID = 18;
const PG_CHAR_ARRAY_OID = 1002;

/**
 * @prisma/adapter-pg 7.10 has no mapping for PostgreSQL's internal `"char"` type, which the
 * catalog columns the engine reads to describe a database use (`pg_constraint.contype`, …),
 * and the engine insists on reading those as characters. The only OID the adapter maps to a
 * character type is `"char"[]`, so the client relabels `"char"` columns as that (their values
 * are already parsed to one-letter strings), and `forSchemaEngine` turns the resulting
 * CharacterArray column type back into Character. The engine's catalog queries read no
 * `"char"[]` columns, so nothing else is affected; the application itself never uses this.
 */
class SchemaEngineClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // An own property rather than an override: pg's overloaded `query` signatures cannot be
    // re-declared faithfully, and this wrapper only post-processes results.
    const baseQuery = super.query.bind(this);
    Object.defineProperty(this, 'query', {
      value: (...args: unknown[]) => SchemaEngineClient.#query(baseQuery, args),
    });
  }

  static #query(baseQuery: unknown, args: unknown[]): unknown {
    // pg-pool calls `query` in callback style; direct callers get a promise.
    const callbackAt = args.findIndex((arg) => typeof arg === 'function');
    const callback = args[callbackAt];
    if (typeof callback === 'function') {
      args[callbackAt] = (
        error: unknown,
        result: pg.QueryResult | pg.QueryResult[] | undefined,
      ) => {
        if (result) relabelCharColumns(result);
        Reflect.apply(callback, undefined, [error, result]);
      };
    }
    if (typeof baseQuery !== 'function') throw new TypeError('pg.Client#query is missing');
    const pending: unknown = Reflect.apply(baseQuery, undefined, args);
    return pending instanceof Promise
      ? pending.then((result: pg.QueryResult | pg.QueryResult[]) => relabelCharColumns(result))
      : pending;
  }
}

/** A multi-statement script yields one result per statement. */
function relabelCharColumns<R extends pg.QueryResult | pg.QueryResult[]>(result: R): R {
  const results: pg.QueryResult[] = Array.isArray(result) ? result : [result];
  for (const one of results) {
    for (const field of one.fields) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_CHAR_ARRAY_OID;
    }
  }
  return result;
}

/**
 * Discrete connection fields rather than a connection string: the adapter derives the shadow
 * database's pool as `{ ...config, database }`, and a connection string would override that
 * `database` and point the shadow work at the real database.
 */
function poolConfig(connectionString: string): pg.PoolConfig {
  const url = new URL(connectionString);
  const sslmode = url.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(url.hostname) || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
    ssl:
      sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : false,
    max: 2,
    allowExitOnIdle: true,
    connectionTimeoutMillis: 10_000,
    Client: SchemaEngineClient,
  };
}

/**
 * Two fixes on top of the adapter for the engine's use:
 * - CharacterArray column types become Character again (see SchemaEngineClient);
 * - scripts (migration files) run as one multi-statement query, as `psql` and the native engine
 *   do; the adapter splits them on every ";", which breaks function bodies and comments.
 */
function forSchemaEngine<A extends SqlDriverAdapter>(adapter: A, pool: pg.Pool): A {
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const result = await queryRaw(query);
    return {
      ...result,
      columnTypes: result.columnTypes.map((type) =>
        type === ColumnTypeEnum.CharacterArray ? ColumnTypeEnum.Character : type,
      ),
    };
  };
  adapter.executeScript = async (script) => {
    await pool.query(script);
  };
  return adapter;
}

/**
 * The adapter's own shadow database handling drops the database while its pool is still
 * connected, which PostgreSQL refuses; this one closes the pool first and forces the drop.
 */
class MigrationAdapterFactory extends PrismaPg {
  readonly #config: pg.PoolConfig;
  readonly #open = new Set<SqlDriverAdapter>();

  constructor(config: pg.PoolConfig) {
    super(config);
    this.#config = config;
  }

  override async connect() {
    const adapter = await super.connect();
    forSchemaEngine(adapter, adapter.underlyingDriver());
    this.#open.add(adapter);
    return adapter;
  }

  /**
   * The engine does not close its connections when freed, and one of them still holds the
   * engine's session advisory lock, which would stall the next run until the pool idles out.
   */
  async disposeAll(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    await Promise.allSettled(open.map((adapter) => adapter.dispose()));
  }

  override async connectToShadowDb() {
    const database = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    const admin = new pg.Client({ ...this.#config, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    const adapter = await new PrismaPg({ ...this.#config, database }).connect();
    forSchemaEngine(adapter, adapter.underlyingDriver());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      try {
        await dispose();
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    };
    return adapter;
  }
}

export type EngineLog = (message: string) => void;

/** Opens a schema engine on `connectionString`, runs `fn`, and always frees the engine. */
export async function withSchemaEngine<T>(
  connectionString: string,
  schema: { path: string; content: string },
  fn: (engine: SchemaEngine) => Promise<T>,
  log: EngineLog = () => undefined,
): Promise<T> {
  await loadWasm();
  const factory = new MigrationAdapterFactory(poolConfig(connectionString));
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await bindings.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (line: string) => {
      log(line);
    },
    adapter,
  );
  try {
    return await fn(engine);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError && panics.last) {
      throw new Error(`Schema engine panicked: ${panics.last}`, { cause: error });
    }
    throw error;
  } finally {
    engine.free();
    await factory.disposeAll();
  }
}
