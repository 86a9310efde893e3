// The part of the WebAssembly JS API the schema engine loader uses (Node has it; @types/node
// does not declare it, and the DOM lib would bring in much more than this).
declare namespace WebAssembly {
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  function instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: Instance }>;
  class RuntimeError extends Error {}
}
