import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RedisServer } from './redis-server.js';

const run = promisify(execFile);

/**
 * A Redis Cluster of a test's own: `masters` `redis-server --cluster-enabled yes` processes on
 * free loopback ports, each in its own temp dir (its `nodes.conf` survives a restart, so a
 * restarted node rejoins as itself), joined with `redis-cli --cluster create`. Each node is a
 * `RedisServer` the test can kill, pause, snapshot and restart.
 */
export class RedisCluster {
  private constructor(readonly nodes: readonly RedisServer[]) {}

  static async start(masters = 3): Promise<RedisCluster> {
    const nodes: RedisServer[] = [];
    try {
      for (let i = 0; i < masters; i++) {
        nodes.push(
          await RedisServer.start(undefined, [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            // How long a node may be silent before the others call it failed (server side, not the client's).
            '--cluster-node-timeout',
            '2000',
          ]),
        );
      }
      const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      const cluster = new RedisCluster(nodes);
      await cluster.waitUntilOk();
      return cluster;
    } catch (error) {
      await Promise.all(nodes.map((node) => node.stop()));
      throw error;
    }
  }

  /** What to give `createCluster({ rootNodes })`. */
  get rootNodes(): Array<{ url: string }> {
    return this.nodes.map((node) => ({ url: node.url }));
  }

  /** The node that serves `key` now (read from `CLUSTER NODES`: `<id> <host:port@bus> … <slot ranges>`). */
  async nodeOf(key: string): Promise<RedisServer> {
    const slot = Number(await this.nodes[0]!.cli('CLUSTER', 'KEYSLOT', key));
    for (const line of (await this.nodes[0]!.cli('CLUSTER', 'NODES')).split('\n')) {
      const fields = line.split(' ');
      const port = Number(fields[1]?.split('@')[0]?.split(':')[1]);
      for (const range of fields.slice(8)) {
        const [from, to = from] = range.split('-').map(Number);
        if (slot >= from! && slot <= to!) {
          const node = this.nodes.find((candidate) => candidate.port === port);
          if (node) return node;
        }
      }
    }
    throw new Error(`no node serves slot ${slot} of ${key}`);
  }

  /** Starts recording every command each node runs (its slow log, with a threshold of 0 µs). */
  async recordCommands(): Promise<void> {
    for (const node of this.nodes) {
      await node.cli('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await node.cli('CONFIG', 'SET', 'slowlog-max-len', '10000');
      await node.cli('SLOWLOG', 'RESET');
    }
  }

  /** The commands the nodes ran since `recordCommands()`, as argument lists; stops recording. */
  async recordedCommands(): Promise<string[][]> {
    const commands: string[][] = [];
    for (const node of this.nodes) {
      const log = JSON.parse(await node.cli('--json', 'SLOWLOG', 'GET', '-1')) as unknown[][];
      for (const entry of log) commands.push(entry[3] as string[]);
      await node.cli('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    }
    return commands;
  }

  /** Resolves once every node reports `cluster_state:ok`. */
  async waitUntilOk(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(this.nodes.map((node) => node.cli('CLUSTER', 'INFO').catch(() => '')));
      if (states.every((state) => state.includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not reach cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}
