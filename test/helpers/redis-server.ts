/**
 * A real redis-server for tests, on a free local port, without persistence: started, killed (as a crash
 * would), restarted on the same port, stopped. Tests skip with a message when redis-server is not installed.
 */
import { RedisClient, type Subprocess } from 'bun';

/** The redis-server executable, or undefined when it is not installed (CI installs it). */
export const REDIS_SERVER = Bun.which('redis-server') ?? undefined;

/** Printed once by each test file that needs Redis and finds none. */
export const REDIS_MISSING = 'redis-server is not installed: skipping the Redis tests (apt-get install redis-server)';

/** A port nothing listens on right now (the kernel's pick for port 0). */
function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** One redis-server process (or its successors on the same port). */
export class RedisServer {
  private proc: Subprocess | undefined;

  private constructor(readonly port: number) {}

  /** The URL a gateway is given; `db` picks the database. */
  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  /** Starts a server on a free port and waits until it answers PING. */
  static async start(): Promise<RedisServer> {
    let lastError: unknown;
    // A port picked free can be taken before redis binds it: try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new RedisServer(freePort());
      try {
        await server.restart();
        return server;
      } catch (err) {
        lastError = err;
        await server.stop();
      }
    }
    throw lastError;
  }

  /** Starts (again) on the same port, with no data (nothing is saved). */
  async restart(): Promise<void> {
    if (!REDIS_SERVER) throw new Error(REDIS_MISSING);
    this.proc = Bun.spawn([REDIS_SERVER, '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdout: 'ignore',
      stderr: 'ignore',
    });
    await this.waitForPing();
  }

  private async waitForPing(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (this.proc?.exitCode !== null) throw new Error(`redis-server exited with ${this.proc?.exitCode} (port ${this.port} taken?)`);
      const client = new RedisClient(this.url(), { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 200 });
      try {
        await client.connect();
        if ((await client.send('PING', [])) === 'PONG') return;
      } catch {
        // not listening yet
      } finally {
        client.close();
      }
      await Bun.sleep(20);
    }
    throw new Error(`redis-server on port ${this.port} did not answer PING within 2 s`);
  }

  /** Kills the server at once (SIGKILL), as a crash or a lost node would; counts are lost. */
  async kill(): Promise<void> {
    this.proc?.kill('SIGKILL');
    await this.proc?.exited;
    this.proc = undefined;
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, as with a stuck node. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** Lets a paused server run again. */
  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Stops the server if it runs. */
  async stop(): Promise<void> {
    this.proc?.kill('SIGTERM');
    await this.proc?.exited;
    this.proc = undefined;
  }

  /** A plain client to look at or flush the data. */
  client(db = 0): RedisClient {
    return new RedisClient(this.url(db), { autoReconnect: false, enableOfflineQueue: false });
  }
}
