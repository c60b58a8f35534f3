/**
 * Watches whether the engine answers `/_ping`, so pages can show a banner and the client
 * renegotiates its API version after the engine comes back.
 */
import type { Logger } from "../log/logger.ts";
import type { DockerClient } from "./client.ts";

/** The engine's reachability as last checked. */
export interface EngineStatus {
  reachable: boolean;
  host: string;
  checkedAt: number;
  error?: string;
}

/** Pings the engine every `intervalMs`; `status` is always the latest answer. */
export class EngineMonitor {
  #status: EngineStatus;
  #timer?: ReturnType<typeof setInterval>;
  #checking?: Promise<EngineStatus>;

  constructor(
    private readonly docker: DockerClient,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {
    this.#status = { reachable: false, host: docker.host, checkedAt: 0, error: "not checked yet" };
  }

  /** The latest status. */
  get status(): EngineStatus {
    return this.#status;
  }

  /** Checks now (and starts the periodic check on first use). */
  check(): Promise<EngineStatus> {
    this.#checking ??= this.#check().finally(() => this.#checking = undefined);
    return this.#checking;
  }

  /** Starts periodic checks. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.check(), this.intervalMs);
    void this.check();
  }

  /** Stops periodic checks. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Records the outcome of a real call, so a failure shows before the next ping. */
  markUnreachable(error: string): void {
    if (this.#status.reachable) this.#transition(false, error);
  }

  async #check(): Promise<EngineStatus> {
    let reachable = false;
    let error: string | undefined;
    try {
      reachable = await this.docker.ping(AbortSignal.timeout(Math.max(1000, this.intervalMs)));
      if (!reachable) error = "the engine answered /_ping with an error";
    } catch (err) {
      error = (err as Error).message;
    }
    if (reachable !== this.#status.reachable || this.#status.checkedAt === 0) {
      this.#transition(reachable, error);
    } else {
      this.#status = { ...this.#status, checkedAt: Date.now(), error };
    }
    return this.#status;
  }

  #transition(reachable: boolean, error?: string): void {
    this.docker.resetApiVersion();
    this.#status = { reachable, host: this.docker.host, checkedAt: Date.now(), error };
    if (reachable) this.log.info("docker engine reachable", { host: this.docker.host });
    else this.log.warn("docker engine unreachable", { host: this.docker.host, error });
  }
}
