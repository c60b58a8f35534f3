/**
 * A unix-socket proxy in front of the shared engine that a test can cut and restore, so
 * "engine unreachable" is tested without stopping the engine other tests use.
 */

/** A cuttable proxy from `path` to the real Docker socket. */
export class SocketProxy implements AsyncDisposable {
  #listener?: Deno.UnixListener;
  #conns = new Set<Deno.Conn>();
  #serving?: Promise<void>;

  constructor(readonly path: string, readonly target = "/var/run/docker.sock") {}

  /** `unix://` URL of the proxy. */
  get host(): string {
    return `unix://${this.path}`;
  }

  /** Starts accepting connections. */
  async open(): Promise<void> {
    await Deno.remove(this.path).catch(() => {});
    this.#listener = Deno.listen({ transport: "unix", path: this.path });
    this.#serving = this.#accept(this.#listener);
  }

  /** Closes the listener and every open connection; the socket file is removed. */
  async cut(): Promise<void> {
    this.#listener?.close();
    this.#listener = undefined;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    this.#conns.clear();
    await this.#serving;
    await Deno.remove(this.path).catch(() => {});
  }

  async #accept(listener: Deno.UnixListener): Promise<void> {
    const pipes: Promise<void>[] = [];
    try {
      for await (const conn of listener) pipes.push(this.#pipe(conn));
    } catch {
      // listener closed
    }
    await Promise.allSettled(pipes);
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    this.#conns.add(client);
    let upstream: Deno.Conn | undefined;
    try {
      upstream = await Deno.connect({ transport: "unix", path: this.target });
      this.#conns.add(upstream);
      await Promise.allSettled([
        client.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(client.writable),
      ]);
    } catch {
      // either side went away
    } finally {
      for (const c of [client, upstream]) {
        if (!c) continue;
        this.#conns.delete(c);
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cut();
  }
}
