/**
 * A TCP proxy a test can break: after `cutAfter(n)` the connection carrying the n-th byte
 * towards the server is dropped; after `dieAfter(n)` every connection is, and new ones are
 * refused (an S3 server "stopped mid-upload"); `cut()` does that at once, `open()` undoes it.
 */
export class TcpProxy implements AsyncDisposable {
  #listener?: Deno.TcpListener;
  #conns = new Set<Deno.Conn>();
  #budget = Infinity;
  #dies = false;
  port = 0;

  constructor(readonly targetPort: number) {}

  /** Starts accepting (on the same port as before, after a cut). */
  open(): void {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    void this.#accept(this.#listener);
  }

  /** Drops the connection that carries more than `bytes` further bytes to the server. */
  cutAfter(bytes: number): void {
    this.#budget = bytes;
    this.#dies = false;
  }

  /** Like `cutAfter`, then refuses every connection: the server "stopped" mid-transfer. */
  dieAfter(bytes: number): void {
    this.#budget = bytes;
    this.#dies = true;
  }

  /** Drops every connection and stops accepting. */
  cut(): void {
    this.#listener?.close();
    this.#listener = undefined;
    for (const c of this.#conns) this.#close(c);
  }

  #close(c: Deno.Conn): void {
    try {
      c.close();
    } catch { /* closed */ }
    this.#conns.delete(c);
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    try {
      for await (const client of listener) {
        const server = await Deno.connect({ hostname: "127.0.0.1", port: this.targetPort });
        this.#conns.add(client);
        this.#conns.add(server);
        const up = async () => {
          const buf = new Uint8Array(64 * 1024);
          while (true) {
            const n = await client.read(buf).catch(() => null);
            if (n === null) break;
            this.#budget -= n;
            if (this.#budget < 0) {
              this.#budget = Infinity; // once
              if (this.#dies) this.cut();
              break;
            }
            let off = 0;
            while (off < n) {
              const w = await server.write(buf.subarray(off, n)).catch(() => -1);
              if (w < 0) break;
              off += w;
            }
          }
          this.#close(client);
          this.#close(server);
        };
        const down = async () => {
          await server.readable.pipeTo(client.writable).catch(() => {});
          this.#close(client);
          this.#close(server);
        };
        void up();
        void down();
      }
    } catch { /* listener closed */ }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.cut();
    return Promise.resolve();
  }
}
