// Progress on stderr (stdout carries only the results), so a long run never sits silent.
export interface Progress {
  /** Ends the running phase, printing how long it took, and starts `name` (if any). */
  phase(name: string | undefined): void;
  /** Seconds since the start, to one decimal. */
  elapsed(): string;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

export function startProgress(): Progress {
  const startedAt = performance.now();
  let current: { name: string; startedAt: number } | undefined;
  return {
    phase(name) {
      const now = performance.now();
      const at = `bench [${seconds(now - startedAt)} s]`;
      if (current) {
        console.error(`${at} finished ${current.name} in ${seconds(now - current.startedAt)} s`);
      }
      current = name === undefined ? undefined : { name, startedAt: now };
      if (name !== undefined) console.error(`${at} started ${name}`);
    },
    elapsed: () => seconds(performance.now() - startedAt),
  };
}
