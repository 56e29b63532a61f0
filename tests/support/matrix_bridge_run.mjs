// A hub bridged to the fake homeserver, for the chaos test and the relay benchmark: one data
// dir, the registration the hub writes (`cohorthub bridge matrix-registration`), a channel mapped
// to a Matrix room, a Matrix user in it, and restarts (kill -9) that keep the data dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startHub, cli, Client } from './server.mjs';
import { startFakeHomeserver } from './fake_homeserver.mjs';

export const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
export const SERVER_NAME = 'fake.test';

// env: extra hub settings; fake: extra options for startFakeHomeserver.
export async function startBridgedPair({ env = {}, fake = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cohorthub-matrix-'));
  cli(['init', '--data-dir', dataDir]);
  cli(['admin', 'create-admin', '--data-dir', dataDir, '--handle', ADMIN.handle],
    { env: { COHORTHUB_ADMIN_PASSWORD: ADMIN.password } });
  const matrixEnv = { COHORTHUB_MATRIX_SERVER_NAME: SERVER_NAME, COHORTHUB_MATRIX_MODE: 'appservice' };
  const registration = YAML.parse(cli(['bridge', 'matrix-registration', '--data-dir', dataDir], { env: matrixEnv }));
  // The registration's url is where the hub would listen by default; the real port (0 picks
  // one) is known once it started, and start() gives it to the fake.
  const hs = await startFakeHomeserver({ serverName: SERVER_NAME, registration: { ...registration, url: undefined },
    autoRetry: false, ...fake });
  const hubEnv = {
    COHORTHUB_MATRIX_HOMESERVER_URL: hs.url,
    ...matrixEnv,
    COHORTHUB_DISCUSSION_POST_BURST: '100000',
    COHORTHUB_DISCUSSION_POSTS_PER_MINUTE: '1000000',
    COHORTHUB_LOG_ACCESS: 'false',
    ...env,
  };
  const pair = {
    hs, dataDir, registration, hub: null, admin: null,
    // (Re)starts the hub on the data dir and points the fake's appservice pushes at it.
    async start() {
      pair.hub = await startHub({ dataDir, env: hubEnv });
      hs.setAppserviceUrl(pair.hub.url);
      pair.admin = new Client(pair.hub.url);
      const login = await pair.admin.post('/api/login', ADMIN);
      if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
      // No retryNow(): the hub pings the homeserver as it starts (retrying until the fake knows its
      // URL), and the ping ends the fake's backoff as it ends Synapse's.
    },
    async kill() { await pair.hub.stop({ signal: 'SIGKILL', keepData: true }); },
    async close() {
      await pair.hub?.stop({ keepData: true });
      await hs.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    // A hub channel mapped to a new public Matrix room that `matrixUser` (created) is in.
    async mappedChannel(name, matrixUser) {
      const channel = await pair.admin.post('/api/channels', { name });
      if (channel.status !== 201) throw new Error(`channel: ${channel.status} ${channel.text}`);
      const channelId = channel.json.channel.id;
      const userId = hs.createUser(matrixUser);
      const roomId = hs.createRoom(userId, { preset: 'public_chat', name });
      // As docs/operations.md asks: the appservice's own user is in the room, so the homeserver
      // pushes the room's events to the hub from the start.
      hs.join(hs.senderId, roomId);
      const mapping = await pair.admin.post('/api/bridge/mappings', { channel_id: channelId, network: 'matrix', remote_id: roomId });
      if (mapping.status !== 201) throw new Error(`mapping: ${mapping.status} ${mapping.text}`);
      return { channelId, roomId, userId };
    },
    // Every message of a channel, oldest first (the forward cursor of GET .../messages).
    async channelMessages(channelId) {
      const all = [];
      let after = 0;
      for (;;) {
        const page = await pair.admin.get(`/api/channels/${channelId}/messages?limit=200&after=${after}`);
        if (page.status !== 200) throw new Error(`messages: ${page.status} ${page.text}`);
        all.push(...page.json.items);
        if (page.json.newer === null) return all;
        after = page.json.newer;
      }
    },
  };
  await pair.start();
  return pair;
}
