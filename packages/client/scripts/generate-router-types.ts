// Writes src/router.generated.ts: the API's router type written out in full, so the published
// client's types stand alone. The server's own `AppRouter` type reaches through the request
// context into the database, Redis and queue clients; a consumer of the client has none of
// those, and needs none of them. This asks the TypeScript checker for each procedure's input
// and output and prints them as plain structural types, with only @trpc/server's procedure
// types around them.
//
//   node scripts/generate-router-types.ts          write the file
//   node scripts/generate-router-types.ts --check  exit 1 if the file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
// The checker reads these imports from this very file; nothing of the API runs here.
import type { AppRouter } from '@chronicle/api';
import type { FinalOrderStatus } from '@chronicle/core';

export type RouterProbe = AppRouter;
export type FinalStatusProbe = FinalOrderStatus;

const packageDir = path.resolve(import.meta.dirname, '..');
const outFile = path.join(packageDir, 'src', 'router.generated.ts');

const configFile = ts.readConfigFile(path.join(packageDir, 'tsconfig.json'), (file) =>
  ts.sys.readFile(file),
);
const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, packageDir);
const program = ts.createProgram([import.meta.filename], config.options);
const checker = program.getTypeChecker();
const self = program.getSourceFile(import.meta.filename);
if (!self) throw new Error('cannot read the generator itself');
function probeType(name: string): ts.Type {
  const probe = self?.statements.find(
    (statement): statement is ts.TypeAliasDeclaration =>
      ts.isTypeAliasDeclaration(statement) && statement.name.text === name,
  );
  if (!probe) throw new Error(`${name} not found`);
  return checker.getTypeAtLocation(probe.name);
}
const routerType = probeType('RouterProbe');

function property(type: ts.Type, name: string): ts.Type {
  const symbol = checker.getPropertyOfType(type, name);
  if (!symbol) throw new Error(`no property ${name} on ${checker.typeToString(type)}`);
  return checker.getTypeOfSymbol(symbol);
}

const quote = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/** Prints a data type structurally (no names that only exist on the server). */
/** `undefined` and `null` first, as people write optional and nullable types. */
function unionRank(part: string): number {
  return part === 'undefined' ? 0 : part === 'null' ? 1 : 2;
}

function print(type: ts.Type, indent: string, seen = new Set<ts.Type>()): string {
  const flags = type.flags;
  if (flags & ts.TypeFlags.Any) return 'any';
  if (flags & ts.TypeFlags.Unknown) return 'unknown';
  if (flags & ts.TypeFlags.Never) return 'never';
  if (flags & ts.TypeFlags.Void) return 'void';
  if (flags & ts.TypeFlags.Undefined) return 'undefined';
  if (flags & ts.TypeFlags.Null) return 'null';
  if (flags & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean))
    return checker.typeToString(type);
  if (flags & ts.TypeFlags.BigInt) return 'bigint';
  if (flags & ts.TypeFlags.ESSymbol) return 'symbol';
  if (
    flags &
    (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral)
  )
    return checker.typeToString(type);
  if (type.isUnion()) {
    // `boolean` is the union true | false; print it as such.
    const members = type.types;
    const hasTrue = members.some((m) => checker.typeToString(m) === 'true');
    const hasFalse = members.some((m) => checker.typeToString(m) === 'false');
    const parts = members
      .filter((m) => !(hasTrue && hasFalse && m.flags & ts.TypeFlags.BooleanLiteral))
      .map((m) => print(m, indent, seen))
      // The checker's member order follows the order it met the types in, which varies with
      // how the program was loaded: sort, so the file is the same on every machine.
      .sort((a, b) => unionRank(a) - unionRank(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (hasTrue && hasFalse) parts.push('boolean');
    return parts.join(' | ');
  }
  if (type.isIntersection()) return type.types.map((m) => print(m, indent, seen)).join(' & ');
  if (seen.has(type))
    throw new Error(`recursive type ${checker.typeToString(type)} is not supported`);
  const name = type.getSymbol()?.getName();
  // Standard library types keep their names: every consumer has them.
  if (name === 'Date') return 'Date';
  if (checker.isArrayType(type)) {
    const [element] = checker.getTypeArguments(type as ts.TypeReference);
    if (!element) throw new Error('array without an element type');
    const printed = print(element, indent, seen);
    return /^[\w.]+$/.test(printed) || printed.startsWith('{') ? `${printed}[]` : `(${printed})[]`;
  }
  if (checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type as ts.TypeReference);
    return `[${elements.map((e) => print(e, indent, seen)).join(', ')}]`;
  }
  if (name === 'AsyncGenerator' || name === 'AsyncIterable') {
    const args = checker.getTypeArguments(type as ts.TypeReference);
    return `${name}<${args.map((a) => print(a, indent, seen)).join(', ')}>`;
  }
  if (flags & ts.TypeFlags.Object) {
    const inner = new Set(seen).add(type);
    const next = `${indent}  `;
    const lines: string[] = [];
    for (const info of checker.getIndexInfosOfType(type)) {
      lines.push(
        `${next}[key: ${print(info.keyType, next, inner)}]: ${print(info.type, next, inner)};`,
      );
    }
    for (const symbol of checker.getPropertiesOfType(type)) {
      const optional = symbol.flags & ts.SymbolFlags.Optional ? '?' : '';
      // Under exactOptionalPropertyTypes (tsconfig.base.json) this is the declared type as is.
      const propertyType = checker.getTypeOfSymbol(symbol);
      lines.push(
        `${next}${quote(symbol.getName())}${optional}: ${print(propertyType, next, inner)};`,
      );
    }
    if (checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0) {
      throw new Error(`function types cannot cross the wire: ${checker.typeToString(type)}`);
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
  }
  throw new Error(`cannot print type ${checker.typeToString(type)}`);
}

const PROCEDURE_TYPES = {
  query: 'TRPCQueryProcedure',
  mutation: 'TRPCMutationProcedure',
  subscription: 'TRPCSubscriptionProcedure',
} as const;

function printRecord(record: ts.Type, indent: string, trail: string): string {
  const next = `${indent}  `;
  const lines = checker.getPropertiesOfType(record).map((symbol) => {
    const name = symbol.getName();
    const member = checker.getTypeOfSymbol(symbol);
    const def = checker.getPropertyOfType(member, '_def');
    const kind = def && checker.getPropertyOfType(checker.getTypeOfSymbol(def), 'type');
    if (!kind) return `${next}${quote(name)}: ${printRecord(member, next, `${trail}${name}.`)};`;
    const procedure = checker.typeToString(checker.getTypeOfSymbol(kind)).replaceAll("'", '"');
    const generic = (PROCEDURE_TYPES as Record<string, string | undefined>)[
      JSON.parse(procedure) as string
    ];
    if (!generic) throw new Error(`${trail}${name}: unknown procedure type ${procedure}`);
    const types = property(property(member, '_def'), '$types');
    const input = print(property(types, 'input'), `${next}  `);
    const output = print(property(types, 'output'), `${next}  `);
    return `${next}${quote(name)}: ${generic}<{\n${next}  input: ${input};\n${next}  output: ${output};\n${next}  meta: object;\n${next}}>;`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

const rootTypes = property(property(property(routerType, '_def'), '_config'), '$types');
const errorShape = print(property(rootTypes, 'errorShape'), '  ');
const transformer = checker.typeToString(property(rootTypes, 'transformer'));
const record = printRecord(property(property(routerType, '_def'), 'record'), '', '');
// The client needs the final statuses as a value (to stop waiting), so the server's list is
// written out here too rather than kept by hand in the client, where it could drift.
const finalStatus = print(probeType('FinalStatusProbe'), '');

const source = `// Generated by \`pnpm --filter @chronicle/client generate\` from the API's router; do not edit.
// The API's procedures with their input and output types written out, and the final order
// statuses, so the published client needs nothing from the server (see
// scripts/generate-router-types.ts).
import type {
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';

export type ErrorShape = ${errorShape};

export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: ErrorShape; transformer: ${transformer} },
  ${record.replaceAll('\n', '\n  ')}
>;

/** The statuses an order does not leave by itself (the server's finalOrderStatuses, in core). */
export type FinalOrderStatus = ${finalStatus};
export const finalOrderStatuses: readonly FinalOrderStatus[] = Object.freeze([${finalStatus.split(' | ').join(', ')}]);
`;

// Formatted like the rest of the repository, so the check compares what is committed.
const prettier = await import('prettier');
const formatted = await prettier.format(source, {
  ...(await prettier.resolveConfig(outFile)),
  filepath: outFile,
});

if (process.argv.includes('--check')) {
  const current = (() => {
    try {
      return readFileSync(outFile, 'utf8');
    } catch {
      return '';
    }
  })();
  if (current !== formatted) {
    console.error(
      `${path.relative(process.cwd(), outFile)} is out of date: run pnpm --filter @chronicle/client generate`,
    );
    process.exit(1);
  }
  console.log('router types are up to date');
} else {
  writeFileSync(outFile, formatted);
  console.log(`wrote ${path.relative(process.cwd(), outFile)}`);
}
