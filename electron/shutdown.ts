/**
 * Graceful shutdown, in order: ask about running containers (when main.ts wires the hook), stop the
 * stage workers and services (Host.close), then let the app quit. Kept apart from main.ts so a
 * test can drive it without the binary.
 */
export interface ShutdownDeps {
  /** The Host, or null when it never opened. */
  closeHost: (() => Promise<void>) | null;
  /**
   * Hook for the infrastructure control: resolves to the containers this app started that are
   * still running (empty when none or when nothing is wired), then `stopContainers` stops them
   * if the user says so.
   */
  runningContainers?: () => Promise<string[]>;
  askStopContainers?: (names: string[]) => Promise<boolean>;
  stopContainers?: () => Promise<void>;
}

export function makeShutdown(deps: ShutdownDeps): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => {
    done ??= (async () => {
      const running = (await deps.runningContainers?.().catch(() => [])) ?? [];
      if (running.length && deps.askStopContainers && deps.stopContainers && (await deps.askStopContainers(running)))
        await deps.stopContainers().catch(() => undefined);
      await deps.closeHost?.().catch(() => undefined);
    })();
    return done;
  };
}
